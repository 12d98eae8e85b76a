// Reads and writes of a file opened without O_DIRECT complete inside io_submit, so requests
// on such files (known through a FileHandle, AioFile or { fd }) go without the eventfd signal.
// These tests check the fallback when that expectation is wrong: a request that does not
// complete inside io_submit is still reaped (on a timer), and later requests on that file
// signal the eventfd again. An fd turned O_DIRECT by fcntl after its first request is the way
// to get there on ext4 (a FUSE file in direct_io mode is the other one seen in the wild).
import { closeSync, constants, openSync } from 'node:fs';
import { open as openHandle } from 'node:fs/promises';
import { F, fcntl } from '@aio/bind';
import { FD_ASYNC, FD_BLOCKING, FD_INLINE, FdGuard } from '../src/fd-guard.js';
import { AioContext, allocAligned } from '../src/index.js';
import { closeAll, fileWith, pattern, tempDir } from './helpers.js';

const BLOCK = 4096;
// O_DIRECT reads this large take the device long enough that none completes before the
// submitting pump reaps (a 4 KiB one might, on a fast host).
const CHUNK = 1 << 20;

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

describe('FdGuard kinds', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  test('a regular file through an object is inline; O_DIRECT, raw fds and pipes are not', () => {
    const path = tmp.path('kinds');
    const fd = fileWith(path, pattern(BLOCK));
    const direct = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
    const [r, w] = require('../../aio-bind/test/fixtures/pipes.js').pipe() as [number, number];
    try {
      const guard = new FdGuard();
      guard.begin();
      expect(guard.kindOf(fd, { fd })).toBe(FD_INLINE);
      expect(guard.kindOf(fd, null)).toBe(FD_ASYNC); // a raw number is never trusted
      expect(guard.kindOf(direct, { fd: direct })).toBe(FD_ASYNC);
      expect(guard.kindOf(r, { fd: r })).toBe(FD_BLOCKING);
      expect(guard.kindOf(r, null)).toBe(FD_BLOCKING);
      const handle = { fd };
      expect(guard.kindOf(fd, handle)).toBe(FD_INLINE);
      guard.completesLater(handle);
      expect(guard.kindOf(fd, handle)).toBe(FD_ASYNC);
      guard.completesLater({ fd: direct }); // unknown object: nothing to change
    } finally {
      closeAll(fd, direct, r, w);
    }
  });
});

describe('a request that does not complete inside io_submit after all', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  test('is reaped on a timer with the right data; later requests signal the eventfd', async () => {
    const path = tmp.path('turned-direct');
    const content = pattern(2 * CHUNK, 3);
    closeSync(fileWith(path, content));
    const handle = await openHandle(path, 'r');
    const ctx = new AioContext();
    try {
      const first = Buffer.alloc(16);
      expect(await ctx.read(handle, first, 0)).toBe(16); // inline: the handle is now trusted
      fcntl(handle.fd, F.SETFL, fcntl(handle.fd, F.GETFL) | constants.O_DIRECT);
      const buffer = allocAligned(CHUNK);
      const delays = await timersDuring(async () => {
        expect(await ctx.read(handle, buffer, CHUNK)).toBe(CHUNK);
      });
      expect(buffer.equals(content.subarray(CHUNK, 2 * CHUNK))).toBe(true);
      expect(delays).toContain(1); // the straggler reap
      // Learned: the next O_DIRECT reads signal the eventfd and need no timer.
      const again = await timersDuring(async () => {
        const reads = [2, 3, 4, 5].map((i) => {
          const b = allocAligned(BLOCK);
          return ctx.read(handle, b, i * BLOCK).then((n) => [n, b, i] as const);
        });
        for (const [n, b, i] of await Promise.all(reads)) {
          expect(n).toBe(BLOCK);
          expect(b.equals(content.subarray(i * BLOCK, (i + 1) * BLOCK))).toBe(true);
        }
      });
      expect(again.filter((d) => d >= 1 && d <= 64)).toEqual([]);
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
      const delays = await timersDuring(async () => {
        // One flush: all go out without the eventfd signal before the file is learned.
        const reads = buffers.map((b, i) => ctx.read(file, b, i * CHUNK));
        const closed = ctx.close(); // waits for the kernel to finish them
        expect(await Promise.all(reads)).toEqual(buffers.map(() => CHUNK));
        await closed;
      });
      expect(delays).toContain(1);
      buffers.forEach((b, i) => {
        expect(b.equals(content.subarray(i * CHUNK, (i + 1) * CHUNK))).toBe(true);
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
        expect(b.equals(content.subarray(7 * BLOCK, 8 * BLOCK))).toBe(true);
      });
      expect(delays.filter((d) => d >= 1 && d <= 64)).toEqual([]);
    } finally {
      await ctx.close();
      closeSync(fd);
    }
  });
});
