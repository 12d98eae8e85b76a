import { runChild } from '../../../test-support/child.js';
import {
  addressOf,
  decodeIoEvent,
  IOCB_CMD,
  IocbArray,
  io_destroy,
  io_getevents,
  io_setup,
  io_submit,
  readRingHeader,
  reapRing,
} from '../src/index.js';
import { closeAll, fileWith, pattern, tempDir, withContext } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Submits `count` buffered 1-byte reads whose aio_data runs from `first`; they complete inside io_submit. */
function submitReads(
  ctx: bigint,
  fd: number,
  table: IocbArray,
  out: Buffer,
  first: number,
  count: number,
): void {
  for (let i = 0; i < count; i++) {
    table.prepare(
      i,
      IOCB_CMD.PREAD,
      fd,
      addressOf(out.subarray(i, i + 1)),
      1,
      (first + i) % 256,
      first + i,
    );
  }
  expect(io_submit(ctx, table.addresses, count)).toBe(count);
}

describe('reapRing', () => {
  test('reads events without a syscall and agrees with io_getevents across ring wrap', () => {
    const fd = fileWith(tmp.dir, 'wrap', pattern(256));
    const table = new IocbArray(100);
    const out = Buffer.alloc(100);
    const events = new Uint8Array(100 * 32);
    withContext(1, (ctx) => {
      const { nr } = readRingHeader(ctx);
      expect(nr).toBeLessThan(400); // small ring: three rounds of 100 wrap it
      const seen: number[] = [];
      let next = 0;
      for (let round = 0; round < 6; round++) {
        submitReads(ctx, fd, table, out, next, 100);
        // Alternate the two ways of consuming, and consume in uneven pieces.
        const first =
          round % 2 === 0 ? reapRing(ctx, events, 37) : io_getevents(ctx, 37, 37, events);
        const rest =
          round % 2 === 0
            ? io_getevents(ctx, 63, 63, events.subarray(37 * 32))
            : reapRing(ctx, events.subarray(37 * 32), 63);
        expect(first + rest).toBe(100);
        for (let i = 0; i < 100; i++) {
          const e = decodeIoEvent(events, i);
          expect(e.res).toBe(1);
          seen.push(Number(e.data));
        }
        next += 100;
      }
      expect(seen).toEqual(Array.from({ length: 600 }, (_, i) => i));
      const header = readRingHeader(ctx);
      expect(header.head).toBe(header.tail);
      expect(header.head).toBe(600 % nr);
      expect(reapRing(ctx, events, 100)).toBe(0);
    });
    closeAll(fd);
  });

  test('takes at most max events and leaves the rest on the ring', () => {
    const fd = fileWith(tmp.dir, 'max', pattern(256));
    const table = new IocbArray(10);
    const out = Buffer.alloc(10);
    const events = new Uint8Array(10 * 32);
    withContext(16, (ctx) => {
      submitReads(ctx, fd, table, out, 0, 10);
      expect(reapRing(ctx, events, 4)).toBe(4);
      expect(reapRing(ctx, events, 0)).toBe(0);
      expect(reapRing(ctx, events, 10)).toBe(6);
      expect(Number(decodeIoEvent(events, 0).data)).toBe(4);
    });
    closeAll(fd);
  });

  test.each([
    ['an unknown context', () => reapRing(0x1000n, new Uint8Array(32), 1), 'ERR_INVALID_ARG_VALUE'],
    [
      'a short events buffer',
      () => withContext(4, (ctx) => reapRing(ctx, new Uint8Array(63), 2)),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'a negative max',
      () => withContext(4, (ctx) => reapRing(ctx, new Uint8Array(64), -1)),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'events not a view',
      () => withContext(4, (ctx) => reapRing(ctx, [] as never, 1)),
      'ERR_INVALID_ARG_TYPE',
    ],
    ['ctx not a bigint', () => reapRing(1 as never, new Uint8Array(32), 1), 'ERR_INVALID_ARG_TYPE'],
  ])('refuses %s', (_name, call, code) => {
    expect(call).toThrow(expect.objectContaining({ code }));
  });

  test('refuses a destroyed context instead of reading unmapped memory', () => {
    const ctx = io_setup(4);
    reapRing(ctx, new Uint8Array(32), 1);
    io_destroy(ctx);
    expect(() => reapRing(ctx, new Uint8Array(32), 1)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
  });

  test('refuses a ring whose magic it does not know', () => {
    const ctx = io_setup(4);
    try {
      const { koffi } = require('../src/ffi.js') as typeof import('../src/ffi.js');
      const header = new Uint32Array(koffi.view(ctx, 32));
      const magic = header[4]!;
      header[4] = 0x12345678; // the ring is user-writable memory: simulate an unknown format
      try {
        expect(() => reapRing(ctx, new Uint8Array(32), 1)).toThrow(
          expect.objectContaining({ code: 'ERR_AIO_RING_UNSUPPORTED' }),
        );
      } finally {
        header[4] = magic;
      }
      header[6] = 1; // an incompatible feature
      try {
        expect(() => reapRing(ctx, new Uint8Array(32), 1)).toThrow(
          expect.objectContaining({ code: 'ERR_AIO_RING_UNSUPPORTED' }),
        );
      } finally {
        header[6] = 0;
      }
      expect(reapRing(ctx, new Uint8Array(32), 1)).toBe(0);
    } finally {
      io_destroy(ctx);
    }
  });
});

describe('CompletionRing', () => {
  test('reaps like reapRing, reports empty, and is disarmed by io_destroy', () => {
    const fd = fileWith(tmp.dir, 'cring', pattern(256));
    const table = new IocbArray(10);
    const out = Buffer.alloc(10);
    const events = new Uint8Array(10 * 32);
    const ctx = io_setup(16);
    const { CompletionRing } = require('../src/index.js') as typeof import('../src/index.js');
    const ring = new CompletionRing(ctx);
    try {
      expect(ring.size).toBe(readRingHeader(ctx).nr);
      expect(ring.empty).toBe(true);
      submitReads(ctx, fd, table, out, 0, 10);
      expect(ring.empty).toBe(false);
      expect(ring.reap(events, 4)).toBe(4);
      expect(ring.reap(events, 100)).toBe(6); // max is capped by the buffer (10 events)
      expect(Number(decodeIoEvent(events, 5).data)).toBe(9);
      expect(ring.empty).toBe(true);
    } finally {
      io_destroy(ctx);
    }
    expect(ring.empty).toBe(true);
    expect(() => ring.reap(events, 1)).toThrow(
      expect.objectContaining({ code: 'ERR_AIO_RING_UNSUPPORTED' }),
    );
    expect(() => new CompletionRing(ctx)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    closeAll(fd);
  });
});

describe('a ring moved by mremap', () => {
  test('reapRing and readRingHeader answer EINVAL instead of reading the old address', async () => {
    // In a child: were the check missing, the read of the old address would be a SIGSEGV.
    const result = await runChild(
      'bind',
      `const koffi = require('koffi');
      const self = koffi.load(null);
      const mmap = self.func('void *mmap(void *, unsigned long, int, int, int, long)');
      const mremap = self.func('void *mremap(void *, unsigned long, unsigned long, int, void *)');
      const one = (f) => { try { return f() ?? 'ok'; } catch (e) { return e.code + ' ' + e.syscall; } };
      const ctx = AIO.io_setup(8);
      const ring = new AIO.CompletionRing(ctx);
      const events = new Uint8Array(64);
      const before = AIO.reapRing(ctx, events, 2);
      const line = require('node:fs').readFileSync('/proc/self/maps', 'utf8').split('\\n')
        .find((l) => l.startsWith(ctx.toString(16) + '-'));
      const [start, end] = line.split(' ')[0].split('-').map((h) => BigInt('0x' + h));
      const size = Number(end - start);
      const target = mmap(null, size, 0, 0x22, -1, 0); // a free range: PROT_NONE, private, anonymous
      const moved = mremap(ctx, size, size, 1 | 2, target); // MREMAP_MAYMOVE | MREMAP_FIXED
      console.log(JSON.stringify({
        before, moved: moved === target,
        reapRing: one(() => AIO.reapRing(ctx, events, 2)),
        readRingHeader: one(() => AIO.readRingHeader(ctx)),
        newRing: one(() => new AIO.CompletionRing(ctx)),
        atNewAddress: one(() => AIO.io_getevents(target, 0, 1, events, { tv_sec: 0, tv_nsec: 0 })),
        destroyNew: one(() => AIO.io_destroy(target)),
        destroyOld: one(() => AIO.io_destroy(ctx)),
        ringEmptyAfter: ring.empty,
      }));`,
      { timeoutMs: 20_000 },
    );
    expect(result).toMatchObject({ code: 0, signal: null, timedOut: false, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({
      before: 0,
      moved: true,
      reapRing: 'EINVAL io_getevents',
      readRingHeader: 'EINVAL io_getevents',
      newRing: 'EINVAL io_getevents',
      atNewAddress: 0,
      destroyNew: 'ok',
      destroyOld: 'EINVAL io_destroy',
      ringEmptyAfter: true,
    });
  });
});
