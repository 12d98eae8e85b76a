import { readFileSync, writeSync } from 'node:fs';
import { pipe } from '../../aio-bind/test/fixtures/pipes.js';
import { AioContext, POLL, PollRequest, ReadRequest } from '../src/index.js';
import { closeAll, fileWith, pattern, tempDir, untilTurns } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function aioRings(): number {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.includes('[aio]')).length;
}

describe('close', () => {
  test('close() waits for queued and in-flight requests, cancels polls, then destroys the ring', async () => {
    const content = pattern(64 * 1024);
    const fd = fileWith(tmp.path('c'), content);
    const [r, w] = pipe();
    const rings = aioRings();
    const ctx = new AioContext({ maxRequests: 4 });
    expect(aioRings()).toBe(rings + 1);
    const bufs = Array.from({ length: 40 }, () => Buffer.alloc(1024));
    const reads = bufs.map((b, i) => ctx.read(fd, b, i * 1024));
    const polled = ctx.poll(r, POLL.IN);
    const closing = ctx.close();
    expect(ctx.closed).toBe(true);
    expect(await Promise.all(reads)).toEqual(bufs.map(() => 1024));
    await expect(polled).rejects.toMatchObject({ code: 'ERR_AIO_CLOSED' });
    await closing;
    expect(ctx.close()).toBe(closing); // idempotent
    expect(aioRings()).toBe(rings);
    expect(Buffer.concat(bufs)).toEqual(content.subarray(0, 40 * 1024));
    closeAll(fd, r, w);
  });

  test('use after close: a stable code everywhere', async () => {
    const ctx = new AioContext();
    await ctx.close();
    const closed = { code: 'ERR_AIO_CLOSED' };
    await expect(ctx.read(0, Buffer.alloc(1), 0)).rejects.toMatchObject(closed);
    await expect(ctx.write(0, Buffer.alloc(1), 0)).rejects.toMatchObject(closed);
    await expect(ctx.readv(0, [], 0)).rejects.toMatchObject(closed);
    await expect(ctx.writev(0, [], 0)).rejects.toMatchObject(closed);
    await expect(ctx.fsync(0)).rejects.toMatchObject(closed);
    await expect(ctx.fdatasync(0)).rejects.toMatchObject(closed);
    await expect(ctx.poll(0, POLL.IN)).rejects.toMatchObject(closed);
    await expect(ctx.run(new ReadRequest(0, Buffer.alloc(1), 0))).rejects.toMatchObject(closed);
    expect(() => ctx.submit(new ReadRequest(0, Buffer.alloc(1), 0))).toThrow(
      expect.objectContaining(closed),
    );
    expect(ctx.getEvents(0, 1)).toEqual([]);
    expect((await ctx.events().next()).done).toBe(true);
    ctx.closeSync(); // no-op
  });

  test('closeSync() blocks until in-flight requests finish, and cancels a pending manual poll', () => {
    const fd = fileWith(tmp.path('sync'), pattern(8192));
    const [r, w] = pipe();
    const rings = aioRings();
    const ctx = new AioContext();
    const poll = new PollRequest(r, POLL.IN);
    const read = new ReadRequest(fd, Buffer.alloc(100), 0);
    ctx.submit(poll, read);
    const queued = ctx.read(fd, Buffer.alloc(10), 0);
    ctx.closeSync();
    expect(aioRings()).toBe(rings);
    expect(poll.state).toBe('done');
    expect(read.state).toBe('done');
    // Their events were collected before the ring was destroyed.
    const requests = ctx.getEvents(0, 10).map((e) => e.request);
    expect(requests).toHaveLength(2);
    expect(requests).toEqual(expect.arrayContaining([poll, read]));
    closeAll(fd, r, w);
    return expect(queued).resolves.toBe(10);
  });

  test('await using / using dispose the context', async () => {
    const rings = aioRings();
    {
      await using ctx = new AioContext();
      expect(aioRings()).toBe(rings + 1);
      expect(ctx.closed).toBe(false);
    }
    expect(aioRings()).toBe(rings);
    {
      using ctx = new AioContext();
      expect(ctx.inFlight).toBe(0);
    }
    expect(aioRings()).toBe(rings);
  });

  test('a poll that becomes ready while closing still settles once', async () => {
    const [r, w] = pipe();
    const ctx = new AioContext();
    const polled = ctx.poll(r, POLL.IN);
    expect(await untilTurns(() => ctx.inFlight === 1)).toBe(true); // the kernel holds it
    writeSync(w, 'x');
    await ctx.close();
    await expect(polled).rejects.toMatchObject({ code: 'ERR_AIO_CLOSED' });
    closeAll(r, w);
  });
});
