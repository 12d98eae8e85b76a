// The 'threadpool' backend (where uv_poll is unavailable, e.g. Bun): one waiter per thread for
// every context, giving its pool thread back at least every 50 ms, so it never starves other
// threadpool users and never holds a worker's teardown. Run in child processes with timeouts:
// the failures were a poll that never resolved, a starved fs.promises and a hung terminate().
import { runChild } from '../../../test-support/child.js';

test('five contexts with pending polls: all resolve, and fs.promises is not starved meanwhile', async () => {
  const result = await runChild(
    'core',
    `const { AioContext, POLL } = AIO;
    const fs = require('node:fs');
    (async () => {
      // Eventfds with count 0: a poll of one waits until it is written.
      const ends = Array.from({ length: 5 }, () => BIND.eventfd(0, 0));
      const contexts = ends.map(() => new AioContext({ backend: 'threadpool' }));
      const polls = contexts.map((ctx, i) => ctx.poll(ends[i], POLL.IN));
      // Four pool threads by default: one waiter at most is ours, the rest serve fs.
      const files = await Promise.all(Array.from({ length: 8 }, () => fs.promises.readFile('/proc/self/status')));
      console.log('fs ok', files.length);
      ends.forEach((efd) => fs.writeSync(efd, new BigUint64Array([1n])));
      const revents = await Promise.all(polls);
      console.log('polls', revents.map((r) => r & POLL.IN).join(','));
      await Promise.all(contexts.map((ctx) => ctx.close()));
      ends.forEach((efd) => fs.closeSync(efd));
    })();`,
    { timeoutMs: 20_000 },
  );
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false });
  expect(result.stdout).toBe('fs ok 8\npolls 1,1,1,1,1\n');
});

test('UV_THREADPOOL_SIZE=1: the waiter still lets node:fs through', async () => {
  const result = await runChild(
    'core',
    `const { AioContext, POLL } = AIO;
    const fs = require('node:fs');
    const efd = BIND.eventfd(0, 0);
    const ctx = new AioContext({ backend: 'threadpool' });
    const poll = ctx.poll(efd, POLL.IN);
    fs.promises.stat('/').then(async () => {
      console.log('fs ok');
      fs.writeSync(efd, new BigUint64Array([1n]));
      console.log('poll', (await poll) & POLL.IN);
      await ctx.close();
    });`,
    { timeoutMs: 20_000, env: { UV_THREADPOOL_SIZE: '1' } },
  );
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false });
  expect(result.stdout).toBe('fs ok\npoll 1\n');
});

test('terminate() of a worker whose threadpool context waits: returns, the process goes on', async () => {
  const result = await runChild(
    'core',
    `const { Worker } = require('node:worker_threads');
    const worker = new Worker(\`
      const AIO = require(\${JSON.stringify(process.env.AIO_CORE)});
      const BIND = require(\${JSON.stringify(process.env.AIO_BIND)});
      const ctx = new AIO.AioContext({ backend: 'threadpool' });
      ctx.poll(BIND.eventfd(0, 0), AIO.POLL.IN);
      require('node:worker_threads').parentPort.postMessage('waiting');\`, { eval: true });
    worker.on('message', async () => {
      await worker.terminate();
      console.log('terminated');
    });`,
    { timeoutMs: 20_000 }, // a terminate() that hangs shows as timedOut, however slow the machine
  );
  expect(result).toMatchObject({ code: 0, signal: null, timedOut: false });
  expect(result.stdout).toBe('terminated\n');
});
