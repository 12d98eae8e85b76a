// Reads and writes of a file opened without O_DIRECT complete inside io_submit, so requests
// on such files (known through a FileHandle, AioFile or { fd }) go without the eventfd signal.
// These tests check the fallback when that expectation is wrong: a request that does not
// complete inside io_submit is still reaped (on a timer), and later requests on that file
// signal the eventfd again. An fd turned O_DIRECT by fcntl after its first request is the way
// to get there on ext4 (a FUSE file in direct_io mode is the other one seen in the wild).
import { closeSync, constants, openSync } from 'node:fs';
import { open as openHandle } from 'node:fs/promises';
import { F, fcntl } from '@aio/bind';
import { classify, FdTable, TYPE_REG, TYPE_STREAM } from '../src/engine/fd-info.js';
import { AioContext, allocAligned } from '../src/index.js';
import { closeAll, fileWith, pattern, tempDir } from './helpers.js';

const BLOCK = 4096;
// Below LANE_READ_MIN: a buffered read this large still goes to the kernel (larger ones are
// copied on the threadpool), so a read turned O_DIRECT behind the engine's back stays silent.
const CHUNK = 128 * 1024;

/** The delays of the timers started while `fn` runs (the engine's straggler reaps are 1-64 ms). */
async function timersDuring(fn: () => Promise<void>): Promise<number[]> {
  const spy = jest.spyOn(globalThis, 'setTimeout');
  try {
    await fn();
    return spy.mock.calls.map((call) => Number(call[1]));
  } finally {
    spy.mockRestore();
  }
}

describe('FdTable: what the engine knows of a file', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  test('an object is classified once; a raw number once per flush; hints are learned', () => {
    const path = tmp.path('kinds');
    const fd = fileWith(path, pattern(BLOCK));
    const direct = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
    const [r, w] = require('../../aio-bind/test/fixtures/pipes.js').pipe() as [number, number];
    try {
      expect(classify(fd)).toMatchObject({
        fd,
        type: TYPE_REG,
        direct: false,
        completesLater: false,
      });
      expect(classify(direct)).toMatchObject({
        type: TYPE_REG,
        direct: true,
        completesLater: true,
      });
      expect(classify(r)).toMatchObject({ type: TYPE_STREAM, completesLater: true });
      const table = new FdTable();
      const handle = { fd };
      table.begin();
      const info = table.info(fd, handle);
      expect(table.info(fd, handle)).toBe(info); // cached on the object
      expect(table.readsInline(fd, handle)).toBe(true);
      expect(table.readsInline(direct, { fd: direct })).toBe(true); // unknown object: a guess
      table.info(direct, { fd: direct });
      const directHandle = { fd: direct };
      table.info(direct, directHandle);
      expect(table.readsInline(direct, directHandle)).toBe(false);
      const raw = table.info(fd, null);
      expect(table.info(fd, null)).toBe(raw); // within one flush
      table.begin();
      expect(table.info(fd, null)).not.toBe(raw); // a number is classified again
      // Learned per object and per fd number.
      table.learn(fd, handle, false);
      expect(table.readsInline(fd, handle)).toBe(false);
      expect(table.readsInline(fd, null)).toBe(true);
      table.learn(fd, null, false);
      expect(table.readsInline(fd, null)).toBe(false);
      table.learn(fd, null, true);
      expect(table.readsInline(fd, null)).toBe(true);
      expect(() => table.info(987_654, null)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    } finally {
      closeAll(fd, direct, r, w);
    }
  });
});

describe('a request that does not complete inside io_submit after all', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  test('reads on a file turned O_DIRECT behind the engine complete with the right data', async () => {
    // Submitted without the eventfd signal, they either complete inside the pump that
    // submitted them or later, reaped by the straggler timer; either way they complete.
    const path = tmp.path('turned-direct');
    const content = pattern(9 * CHUNK, 3);
    closeSync(fileWith(path, content));
    const handle = await openHandle(path, 'r');
    const ctx = new AioContext();
    try {
      expect(await ctx.read(handle, Buffer.alloc(16), 0)).toBe(16); // classified: buffered
      fcntl(handle.fd, F.SETFL, fcntl(handle.fd, F.GETFL) | constants.O_DIRECT);
      for (let round = 0; round < 3; round++) {
        const reads = [1, 2, 3].map((i) => {
          const b = allocAligned(CHUNK);
          return ctx.read(handle, b, (round * 3 + i - 1) * CHUNK).then((n) => [n, b] as const);
        });
        const done = await Promise.all(reads);
        done.forEach(([n, b], i) => {
          const at = (round * 3 + i) * CHUNK;
          expect(n).toBe(CHUNK);
          expect(b).toEqual(content.subarray(at, at + CHUNK));
        });
      }
      const { inline, device, lane } = ctx.stats;
      expect(inline + device + lane).toBe(10);
      expect(ctx.inFlight).toBe(0);
    } finally {
      await ctx.close();
      await handle.close();
    }
  });

  test('several of them, and close() while they are in flight: all complete, nothing leaks', async () => {
    const path = tmp.path('stragglers');
    const content = pattern(8 * CHUNK, 9);
    closeSync(fileWith(path, content));
    const ctx = new AioContext();
    const buffers = Array.from({ length: 8 }, () => allocAligned(CHUNK));
    const fd = openSync(path, 'r');
    const file = { fd };
    try {
      expect(await ctx.read(file, Buffer.alloc(1), 0)).toBe(1);
      fcntl(fd, F.SETFL, fcntl(fd, F.GETFL) | constants.O_DIRECT);
      // One flush: all go out without the eventfd signal before the file is learned.
      const reads = buffers.map((b, i) => ctx.read(file, b, i * CHUNK));
      const closed = ctx.close(); // waits for the kernel to finish them
      expect(await Promise.all(reads)).toEqual(buffers.map(() => CHUNK));
      await closed;
      buffers.forEach((b, i) => {
        expect(b).toEqual(content.subarray(i * CHUNK, (i + 1) * CHUNK));
      });
      expect(ctx.inFlight).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  test('a buffered read needs no straggler timer', async () => {
    const path = tmp.path('buffered');
    const content = pattern(16 * BLOCK, 5);
    closeSync(fileWith(path, content));
    const fd = openSync(path, 'r');
    const ctx = new AioContext();
    try {
      const delays = await timersDuring(async () => {
        const b = Buffer.alloc(BLOCK);
        expect(await ctx.read({ fd }, b, 7 * BLOCK)).toBe(BLOCK);
        expect(b).toEqual(content.subarray(7 * BLOCK, 8 * BLOCK));
      });
      expect(delays.filter((d) => d >= 1 && d <= 64)).toEqual([]);
    } finally {
      await ctx.close();
      closeSync(fd);
    }
  });
});
