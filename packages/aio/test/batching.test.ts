import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import { SUBMIT_BATCH_DEVICE, SUBMIT_BATCH_INLINE } from '../src/engine/submission.js';
import { AioContext, POLL } from '../src/index.js';
import {
  closeAll,
  expectBytes,
  fileWith,
  pattern,
  tempDir,
  untilFileHandlesKnown,
  untilTurns,
  withContext,
} from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('batching and the queue', () => {
  test('a mixed batch far larger than the ring all completes, never EAGAIN', async () => {
    const content = pattern(256 * 1024);
    const src = fileWith(tmp.path('src'), content);
    const dst = fileWith(tmp.path('dst'), Buffer.alloc(0));
    await withContext(
      async (ctx) => {
        const ops: Promise<unknown>[] = [];
        const reads = Array.from({ length: 256 }, () => Buffer.alloc(1024));
        reads.forEach((b, i) => {
          ops.push(ctx.read(src, b, i * 1024));
        });
        expect(ctx.queued).toBe(256); // all queued in this tick; none submitted yet
        for (let i = 0; i < 64; i++)
          ops.push(ctx.write(dst, content.subarray(i * 4096, (i + 1) * 4096), i * 4096));
        for (let i = 0; i < 16; i++) ops.push(ctx.fdatasync(dst));
        ops.push(ctx.readv(src, [Buffer.alloc(10), Buffer.alloc(10)], 0));
        await Promise.all(ops);
        expectBytes(Buffer.concat(reads), content);
        expect(ctx.queued).toBe(0);
        expect(ctx.inFlight).toBe(0);
      },
      { maxRequests: 4 },
    );
    closeAll(src, dst);
    expectBytes(readFileSync(tmp.path('dst')), content);
  });

  test('a bad fd in the middle of a batch fails that request only', async () => {
    const fd = fileWith(tmp.path('partial'), pattern(64));
    await withContext(async (ctx) => {
      const results = await Promise.allSettled([
        ctx.read(fd, Buffer.alloc(8), 0),
        ctx.read(fd, Buffer.alloc(8), 8),
        ctx.read(987_654, Buffer.alloc(8), 0),
        ctx.read(fd, Buffer.alloc(8), 16),
        ctx.read(fd, Buffer.alloc(8), 24),
      ]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
        name: 'AioError',
        code: 'EBADF',
        syscall: 'io_submit',
        fd: 987_654,
        command: 'read',
      });
    });
    closeAll(fd);
  });

  test('a request the kernel refuses at io_submit inside a batch fails alone', async () => {
    const fd = fileWith(tmp.path('refused'), pattern(64));
    const { pipe } = await import('../../aio-bind/test/fixtures/pipes.js');
    const [r, w] = pipe();
    await withContext(
      async (ctx) => {
        // A pipe has no fsync: io_submit accepts the iocbs before it, refuses it (EINVAL),
        // and the engine resubmits the ones after it.
        const results = await Promise.allSettled([
          ctx.read(fd, Buffer.alloc(8), 0),
          ctx.read(fd, Buffer.alloc(8), 8),
          ctx.fsync(r),
          ctx.read(fd, Buffer.alloc(8), 16),
          ctx.read(fd, Buffer.alloc(8), 24),
        ]);
        expect(results.map((x) => x.status)).toEqual([
          'fulfilled',
          'fulfilled',
          'rejected',
          'fulfilled',
          'fulfilled',
        ]);
        expect((results[2] as PromiseRejectedResult).reason).toMatchObject({
          code: 'EINVAL',
          syscall: 'io_submit',
          command: 'fsync',
          fd: r,
        });
      },
      { submitBatch: 8 },
    );
    closeAll(fd, r, w);
  });

  test('a FileHandle closed while its request is queued: close() waits, the request reads', async () => {
    const { open } = await import('node:fs/promises');
    writeFileSync(tmp.path('fh'), pattern(64));
    const fh = await open(tmp.path('fh'), 'r');
    const other = await open(tmp.path('fh'), 'r');
    await withContext(async (ctx) => {
      await untilFileHandlesKnown(fh);
      const a = ctx.read(fh, Buffer.alloc(8), 0);
      const b = ctx.read(other, Buffer.alloc(8), 0);
      const closing = fh.close(); // before the flush: the request holds the descriptor
      await expect(a).resolves.toBe(8);
      await expect(b).resolves.toBe(8);
      await closing;
      expect(fh.fd).toBe(-1);
      await expect(ctx.read(fh, Buffer.alloc(8), 0)).rejects.toMatchObject({ code: 'EBADF' });
    });
    await other.close();
  });

  test("'auto' submits one at a time while requests stay in flight, 16 when they complete inline", async () => {
    expect([SUBMIT_BATCH_INLINE, SUBMIT_BATCH_DEVICE]).toEqual([16, 1]);
    const { pipe } = await import('../../aio-bind/test/fixtures/pipes.js');
    const [r, w] = pipe();
    const fd = fileWith(tmp.path('auto-batch'), pattern(4096));
    const ctx = new AioContext();
    try {
      expect(ctx.submitBatch).toBe(16);
      // A poll of an empty pipe cannot complete inside io_submit: the kernel holds it.
      const ready = ctx.poll(r, POLL.IN);
      await untilTurns(() => ctx.inFlight === 1);
      expect(ctx.submitBatch).toBe(1);
      writeSync(w, 'x');
      expect((await ready) & POLL.IN).toBe(POLL.IN);
      // Page-cache reads complete inside io_submit: back to batches.
      expect(await ctx.read(fd, Buffer.alloc(10), 0)).toBe(10);
      expect(ctx.submitBatch).toBe(16);
    } finally {
      await ctx.close();
      closeAll(fd, r, w);
    }
  });

  test.each([1, 3, 'auto'] as const)(
    'submitBatch %p gives the same results',
    async (submitBatch) => {
      const content = pattern(8192);
      const fd = fileWith(tmp.path(`sb${submitBatch}`), content);
      const ctx = new AioContext({ submitBatch, maxRequests: 16 });
      try {
        const bufs = Array.from({ length: 40 }, () => Buffer.alloc(100));
        await Promise.all(bufs.map((b, i) => ctx.read(fd, b, i * 100)));
        bufs.forEach((b, i) => {
          expect(b).toEqual(content.subarray(i * 100, i * 100 + 100));
        });
        expect(ctx.submitBatch).toBe(submitBatch === 'auto' ? 16 : submitBatch);
      } finally {
        await ctx.close();
      }
      closeAll(fd);
    },
  );
});
