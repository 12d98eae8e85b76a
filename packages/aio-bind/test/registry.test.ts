// The process-wide ring table: one entry per live ring, freed by io_destroy; and, when every
// entry is taken, rings that still work from a private entry (known to this thread only).
import {
  addressOf,
  CompletionRing,
  IOCB_CMD,
  IocbArray,
  io_destroy,
  io_setup,
  io_submit,
  readRingHeader,
  reapRing,
} from '../src/index.js';
import { claimEntry, entriesOf, LIVE, registry, ST_MASK } from '../src/registry.js';
import { closeAll, fileWith, pattern, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function liveEntries(): number {
  const { words } = registry();
  let n = 0;
  for (let at = 16; at < words.length; at += 4)
    if ((Atomics.load(words, at) & ST_MASK) === LIVE) n++;
  return n;
}

test('the table is the process-wide mapping, and io_destroy frees the entry io_setup took', () => {
  expect(registry().processWide).toBe(true);
  const before = liveEntries();
  const ctx = io_setup(4);
  expect(entriesOf(registry(), ctx)).toHaveLength(1);
  expect(liveEntries()).toBe(before + 1);
  io_destroy(ctx);
  expect(entriesOf(registry(), ctx)).toEqual([]);
  expect(liveEntries()).toBe(before);
});

test('with every entry taken, a ring works from a private entry and is still disarmed', () => {
  const table = registry();
  const taken: number[] = [];
  const fd = fileWith(tmp.dir, 'full', pattern(64));
  try {
    for (let claimed = claimEntry(table, 0x1000n); claimed; claimed = claimEntry(table, 0x1000n)) {
      taken.push(claimed.at);
    }
    expect(taken.length).toBeGreaterThan(8000);
    const ctx = io_setup(4);
    expect(entriesOf(table, ctx)).toEqual([]); // not in the table: private
    const ring = new CompletionRing(ctx);
    const table2 = new IocbArray(2);
    const out = Buffer.alloc(2);
    for (let i = 0; i < 2; i++)
      table2.prepare(i, IOCB_CMD.PREAD, fd, addressOf(out.subarray(i)), 1, i, i);
    expect(io_submit(ctx, table2.addresses, 2)).toBe(2);
    expect(readRingHeader(ctx).tail).toBe(2);
    expect(ring.reap(new Uint8Array(32), 1)).toBe(1);
    expect(reapRing(ctx, new Uint8Array(32), 1)).toBe(1);
    io_destroy(ctx);
    expect(ring.empty).toBe(true);
    expect(() => ring.reap(new Uint8Array(32), 1)).toThrow(
      expect.objectContaining({ code: 'ERR_AIO_RING_UNSUPPORTED' }),
    );
  } finally {
    for (const at of taken) Atomics.store(table.words, at, 0);
    closeAll(fd);
  }
});
