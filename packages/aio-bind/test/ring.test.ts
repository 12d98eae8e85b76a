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
