import { writeSync } from 'node:fs';
import { EFD, eventfd, eventfdRead } from '@aio/bind';
import { pipe } from '../../aio-bind/test/fixtures/pipes.js';
import { type AioEvent, POLL, PollRequest, ReadRequest, WriteRequest } from '../src/index.js';
import { closeAll, fileWith, pattern, tempDir, withContext } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('linux_aio-style manual use', () => {
  test('submit() then getEvents() returns the events of those requests', async () => {
    const content = pattern(4096);
    const fd = fileWith(tmp.path('m'), content);
    await withContext(async (ctx) => {
      const reqs = [0, 1, 2].map((i) => new ReadRequest(fd, Buffer.alloc(16), i * 16));
      expect(ctx.submit(...reqs)).toBe(3);
      const events = ctx.getEvents(3, 10);
      expect(events.map((e) => e.request).sort()).toEqual(reqs.slice().sort());
      for (const e of events) {
        const at = Number((e.request as ReadRequest).position);
        expect(Buffer.from(e.data!)).toEqual(content.subarray(at, at + 16));
      }
      expect(ctx.getEvents(0, 10)).toEqual([]); // nothing left, does not wait
    });
    closeAll(fd);
  });

  test('getEvents waits up to its timeout for requests in flight, and returns what came', async () => {
    const [r, w] = pipe();
    await withContext(async (ctx) => {
      const poll = new PollRequest(r, POLL.IN);
      ctx.submit(poll);
      const start = process.hrtime.bigint();
      expect(ctx.getEvents(1, 1, 50_000_000)).toEqual([]);
      // The timeout is what is tested: only a lower bound, which a slow machine cannot break
      // (the kernel sleeps at least 50 ms; the slack is for the clocks' granularity).
      expect(Number(process.hrtime.bigint() - start) / 1e6).toBeGreaterThanOrEqual(45);
      writeSync(w, 'x');
      const [event] = ctx.getEvents(1, 1, 5_000_000_000n);
      expect(event!.request).toBe(poll);
      expect(event!.res & POLL.IN).toBe(POLL.IN);
    });
    closeAll(r, w);
  });

  test('submit() returns how many fit; the rest stay idle', async () => {
    const fd = fileWith(tmp.path('fit'), pattern(64));
    await withContext(
      async (ctx) => {
        const [r, w] = pipe();
        const polls = [new PollRequest(r, POLL.IN), new PollRequest(r, POLL.IN)];
        expect(ctx.submit(...polls)).toBe(2);
        const more = new ReadRequest(fd, Buffer.alloc(8), 0);
        expect(ctx.submit(more)).toBe(0);
        expect(more.state).toBe('idle');
        writeSync(w, 'x');
        expect(ctx.getEvents(2, 2, 5e9)).toHaveLength(2);
        closeAll(r, w);
      },
      { maxRequests: 2 },
    );
    closeAll(fd);
  });

  test('submit(): a first refused request throws; a later one stops the submission there', async () => {
    const fd = fileWith(tmp.path('refuse'), pattern(64));
    await withContext(async (ctx) => {
      const bad = new ReadRequest(999_999, Buffer.alloc(8), 0);
      expect(() => ctx.submit(bad)).toThrow(
        expect.objectContaining({ code: 'EBADF', fd: 999_999 }),
      );
      const good = new ReadRequest(fd, Buffer.alloc(8), 0);
      const after = new ReadRequest(fd, Buffer.alloc(8), 8);
      expect(ctx.submit(good, bad, after)).toBe(1);
      expect(after.state).toBe('idle');
      expect(ctx.getEvents(1, 5).map((e) => e.request)).toEqual([good]);
      expect(() => ctx.submit(good, good)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
    });
    closeAll(fd);
  });

  test('events() yields completions on the event loop as they arrive, and ends at close', async () => {
    const [r, w] = pipe();
    const fd = fileWith(tmp.path('it'), pattern(64));
    const ctx = new (await import('../src/index.js')).AioContext();
    const seen: AioEvent[] = [];
    let arrived = () => {};
    const nextEvent = () => new Promise<void>((resolve) => (arrived = resolve));
    const consumer = (async () => {
      for await (const event of ctx.events()) {
        seen.push(event);
        arrived();
      }
    })();
    const poll = new PollRequest(r, POLL.IN);
    const read = new ReadRequest(fd, Buffer.alloc(8), 0);
    let next = nextEvent();
    ctx.submit(poll, read);
    await next;
    expect(seen.map((e) => e.request)).toEqual([read]); // the poll waits: the pipe is empty
    expect(ctx.inFlight).toBe(1);
    next = nextEvent();
    writeSync(w, 'x');
    await next;
    expect(seen.map((e) => e.request)).toEqual([read, poll]);
    await ctx.close();
    await consumer; // the loop ended
    closeAll(r, w, fd);
  });

  test('breaking out of events() stops that iterator only', async () => {
    const fd = fileWith(tmp.path('brk'), pattern(64));
    await withContext(async (ctx) => {
      const it = ctx.events();
      ctx.submit(new ReadRequest(fd, Buffer.alloc(8), 0), new ReadRequest(fd, Buffer.alloc(8), 8));
      const first = await it.next();
      expect(first.done).toBe(false);
      await it.return!();
      expect((await it.next()).done).toBe(true);
      expect(ctx.getEvents(1, 1)).toHaveLength(1); // the second is still there
    });
    closeAll(fd);
  });

  test('a request with its own resfd signals that eventfd', async () => {
    const fd = fileWith(tmp.path('resfd'), pattern(64));
    const efd = eventfd(0, EFD.NONBLOCK);
    await withContext(async (ctx) => {
      const req = new WriteRequest(fd, Buffer.from('abc'), 0);
      req.resfd = efd;
      ctx.submit(req);
      expect(ctx.getEvents(1, 1)[0]!.res).toBe(3);
      expect(eventfdRead(efd)).toBe(1n);
    });
    closeAll(fd, efd);
  });

  test('cancel(): an in-flight poll is cancelled (event arrives later); a read cannot be', async () => {
    const [r, w] = pipe();
    const fd = fileWith(tmp.path('cancel'), pattern(64));
    await withContext(async (ctx) => {
      const poll = new PollRequest(r, POLL.IN);
      ctx.submit(poll);
      expect(ctx.cancel(poll)).toBeNull();
      const [event] = ctx.getEvents(1, 1, 5e9);
      expect(event!.request).toBe(poll);
      expect(event!.res & POLL.IN).toBe(0);
      expect(() => ctx.cancel(poll)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );

      // A queued run() request: removed, resolved with -ECANCELED.
      const queued = new ReadRequest(fd, Buffer.alloc(8), 0);
      const running = ctx.run(queued);
      const cancelled = ctx.cancel(queued);
      expect(cancelled).toMatchObject({
        res: -125,
        ok: false,
        error: expect.objectContaining({ code: 'ECANCELED' }),
      });
      await expect(running).resolves.toBe(cancelled);
      expect(queued.state).toBe('idle');
    });
    closeAll(r, w, fd);
  });

  test.each([
    ['minNr > maxNr', 'ERR_OUT_OF_RANGE'],
    ['negative timeout', 'ERR_OUT_OF_RANGE'],
    ['string timeout', 'ERR_INVALID_ARG_TYPE'],
  ])('getEvents refuses %s', async (name, code) => {
    await withContext((ctx) => {
      const call =
        name === 'minNr > maxNr'
          ? () => ctx.getEvents(2, 1)
          : name === 'negative timeout'
            ? () => ctx.getEvents(0, 1, -1n)
            : () => ctx.getEvents(0, 1, '5' as never);
      expect(call).toThrow(expect.objectContaining({ code }));
    });
  });
});
