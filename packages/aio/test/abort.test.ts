// The abort policy (README): queued -> removed, rejects at once; in-flight poll -> io_cancel,
// rejects when the kernel reports it; in-flight read/write -> cannot be cancelled: the buffer
// stays pinned and the promise rejects with AbortError only once the kernel has finished.
import { constants, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { addressOf } from '@aio/bind';
import { pipe } from '../../aio-bind/test/fixtures/pipes.js';
import { POLL, PollRequest, ReadRequest } from '../src/index.js';
import {
  closeAll,
  expectBytes,
  fileWith,
  pattern,
  tempDir,
  untilTurns,
  withContext,
} from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const isAbort = { name: 'AbortError', code: 'ABORT_ERR' };

test('an already aborted signal rejects at once, with the reason as cause', async () => {
  const fd = fileWith(tmp.path('pre'), pattern(16));
  await withContext(async (ctx) => {
    const reason = new Error('stop');
    const p = ctx.read(fd, Buffer.alloc(8), 0, { signal: AbortSignal.abort(reason) });
    expect(ctx.queued).toBe(0);
    await expect(p).rejects.toMatchObject({ ...isAbort, cause: reason });
  });
  closeAll(fd);
});

test('abort while queued removes the request: it never reaches the kernel', async () => {
  const [r, w] = pipe();
  const path = tmp.path('queued');
  const fd = fileWith(path, Buffer.alloc(16));
  await withContext(
    async (ctx) => {
      const blocker = ctx.poll(r, POLL.IN); // takes the only slot
      expect(await untilTurns(() => ctx.inFlight === 1)).toBe(true);
      const controller = new AbortController();
      const write = ctx.write(fd, Buffer.from('must not land'), 0, { signal: controller.signal });
      await new Promise((resolve) => setImmediate(resolve));
      expect(ctx.queued).toBe(1);
      controller.abort();
      await expect(write).rejects.toMatchObject(isAbort);
      expect(ctx.queued).toBe(0);
      writeSync(w, 'x');
      await blocker;
      // The queue is first in, first out: a read queued now is submitted after anything still
      // queued before it, so it would see the aborted write's bytes had they been written.
      const after = Buffer.alloc(16, 0xff);
      expect(await ctx.read(fd, after, 0)).toBe(16);
      expect(after).toEqual(Buffer.alloc(16));
    },
    { maxRequests: 1 },
  );
  closeAll(fd, r, w);
  // close() waited for everything in flight: nothing can land after this.
  expect(require('node:fs').readFileSync(path)).toEqual(Buffer.alloc(16));
});

test('abort of an in-flight poll cancels it in the kernel', async () => {
  const [r, w] = pipe();
  await withContext(async (ctx) => {
    const controller = new AbortController();
    const polled = ctx.poll(r, POLL.IN, { signal: controller.signal });
    // Submitted by the next flush (which may wait for a macrotask when the turn's budget is spent).
    expect(await untilTurns(() => ctx.inFlight === 1)).toBe(true);
    controller.abort();
    await expect(polled).rejects.toMatchObject(isAbort);
    expect(ctx.inFlight).toBe(0);
  });
  closeAll(r, w);
});

test('abort of an in-flight O_DIRECT read: settles only after the kernel completes it', async () => {
  const size = 8 << 20; // one large device read: in flight for milliseconds
  const content = pattern(size);
  const path = tmp.path('direct');
  const fd = fileWith(path, content);
  require('node:fs').fsyncSync(fd); // clean pages: the read goes to the device
  closeAll(fd);
  const fh = await open(path, constants.O_RDONLY | constants.O_DIRECT);
  await withContext(async (ctx) => {
    const raw = Buffer.alloc(size + 4096);
    const off = Number(addressOf(raw) % 4096n);
    const buf = raw.subarray(off === 0 ? 0 : 4096 - off).subarray(0, size);
    const controller = new AbortController();
    const read = ctx.read(fh, buf, 0, { signal: controller.signal });
    await Promise.resolve(); // the flush microtask submits it...
    // ...or, when this turn's budget of inline work is spent, a flush after a macrotask.
    expect(await untilTurns(() => ctx.queued === 0)).toBe(true);
    const inFlightAtAbort = ctx.inFlight;
    controller.abort();
    if (inFlightAtAbort === 1) {
      expect(ctx.inFlight).toBe(1); // abort did not pretend to cancel it
      await expect(read).rejects.toMatchObject(isAbort);
      expect(ctx.inFlight).toBe(0); // rejected only once the kernel gave the buffer back
      expectBytes(buf, content); // and the kernel did perform the read
    } else {
      // Completed before the abort (inside io_submit, or reaped while the flush waited for its
      // turn): the abort came too late.
      await expect(read).resolves.toBe(size);
      expectBytes(buf, content);
    }
  });
  await fh.close();
});

test('abort after completion changes nothing', async () => {
  const fd = fileWith(tmp.path('after'), pattern(16));
  await withContext(async (ctx) => {
    const controller = new AbortController();
    await expect(ctx.read(fd, Buffer.alloc(8), 0, { signal: controller.signal })).resolves.toBe(8);
    controller.abort();
  });
  closeAll(fd);
});

test('run() with a signal: queued abort rejects and leaves the request idle', async () => {
  const [r, w] = pipe();
  const fd = fileWith(tmp.path('run'), pattern(16));
  await withContext(
    async (ctx) => {
      const blocker = ctx.run(new PollRequest(r, POLL.IN));
      const controller = new AbortController();
      const req = new ReadRequest(fd, Buffer.alloc(8), 0);
      const running = ctx.run(req, { signal: controller.signal });
      controller.abort();
      await expect(running).rejects.toMatchObject(isAbort);
      expect(req.state).toBe('idle');
      writeSync(w, 'x');
      await blocker;
    },
    { maxRequests: 1 },
  );
  closeAll(fd, r, w);
});

test('a signal that is not an AbortSignal is refused', async () => {
  await withContext(async (ctx) => {
    await expect(ctx.read(0, Buffer.alloc(1), 0, { signal: {} as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });
});
