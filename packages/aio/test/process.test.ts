// Whole-process behaviour, observed from outside: what keeps node alive, what lets it exit,
// and that nothing blocks or aborts it.
import { closeSync, writeFileSync, writeSync } from 'node:fs';
import { runChild } from '../../../test-support/child.js';
import { epollSyscalls, untilSleepingIn } from '../../aio-bind/test/fixtures/blocked.js';
import { pipe } from '../../aio-bind/test/fixtures/pipes.js';
import { BACKENDS, tempDir } from './helpers.js';

const tmp = tempDir();
const file = tmp.path('data');
writeFileSync(file, Buffer.alloc(1 << 20, 7));
afterAll(() => tmp.cleanup());

describe.each(BACKENDS)('backend %s', (backend) => {
  const setup = `const { AioContext, POLL } = AIO; const fs = require('node:fs');
    const ctx = new AioContext({ backend: '${backend}' });`;

  test('an idle context does not keep the process alive, and it exits cleanly', async () => {
    const result = await runChild(
      'core',
      `${setup}
      const fd = fs.openSync(${JSON.stringify(file)}, 'r');
      ctx.read(fd, Buffer.alloc(4096), 0).then((n) => console.log('read', n));`,
      { timeoutMs: 10_000 },
    );
    expect(result).toMatchObject({ code: 0, signal: null, timedOut: false });
    expect(result.stdout).toBe('read 4096\n');
  });

  test('a request in flight keeps the process alive until it completes', async () => {
    // The data comes once the child's main thread sleeps in epoll: its script is done and its
    // loop has nothing to run, where a loop that nothing holds would have ended the process.
    let fed: Promise<void> = Promise.resolve();
    const result = await runChild(
      'core',
      `${setup}
      ctx.poll(0, POLL.IN).then((revents) => console.log('ready', revents & POLL.IN));
      console.log('waiting');`,
      {
        stdin: 'pipe',
        onLine: (line, child) => {
          if (line !== 'waiting') return;
          fed = untilSleepingIn(child.pid!, epollSyscalls()).then(() => {
            child.stdin!.write('x');
          });
          fed.catch(() => {}); // awaited below, once the child has ended
        },
      },
    );
    await fed; // rejects if the child had exited before its loop went idle
    expect(result).toMatchObject({ code: 0, signal: null, timedOut: false });
    expect(result.stdout).toBe('waiting\nready 1\n');
  });

  test('process.exit() with requests in flight exits cleanly (no abort in teardown)', async () => {
    const result = await runChild(
      'core',
      `${setup}
      const fd = fs.openSync(${JSON.stringify(file)}, fs.constants.O_RDONLY | fs.constants.O_DIRECT);
      ctx.poll(0, POLL.IN).catch(() => {});
      const raw = Buffer.alloc(1 << 20 + 4096);
      ctx.read(fd, raw.subarray(4096 - (Number(BIND.addressOf(raw) % 4096n) || 4096)).subarray(0, 1 << 20), 0).catch(() => {});
      setTimeout(() => { console.log('inFlight', ctx.inFlight > 0); process.exit(3); }, 1);`,
      { stdin: 'pipe' },
    );
    expect(result).toMatchObject({ code: 3, signal: null, timedOut: false });
    expect(result.stdout).toBe('inFlight true\n');
    expect(result.stderr).toBe('');
  });

  test('an uncaught exception with a poll in flight exits with code 1, not an abort', async () => {
    const result = await runChild(
      'core',
      `${setup}
      ctx.poll(0, POLL.IN);
      setTimeout(() => { throw new Error('boom'); }, 10);`,
      { stdin: 'pipe' },
    );
    expect(result).toMatchObject({ code: 1, signal: null, timedOut: false });
    expect(result.stderr).toContain('boom');
  });
});

test('a read of an empty blocking pipe waits for data without stopping the event loop', async () => {
  const [r, w] = pipe();
  const result = await runChild(
    'core',
    `const { AioContext } = AIO;
    const ctx = new AioContext();
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks === 20) console.log('ticks 20'); // the read is still pending: the loop runs
    }, 1);
    const buf = Buffer.alloc(64);
    ctx.read(0, buf, 0).then(
      (n) => { clearInterval(timer); console.log('read', n, buf.subarray(0, n).toString(), ticks >= 20); },
      (e) => { clearInterval(timer); console.log('rejected', e.code, e.syscall); },
    );`,
    {
      stdin: r,
      timeoutMs: 20_000,
      onLine: (line) => {
        if (line === 'ticks 20') writeSync(w, 'hello');
      },
    },
  );
  closeSync(r);
  closeSync(w);
  expect(result).toMatchObject({ code: 0, timedOut: false });
  expect(result.stdout).toBe('ticks 20\nread 5 hello true\n');
});

test('cached reads start no thread: the libuv threadpool stays unused', async () => {
  const result = await runChild(
    'core',
    `const { AioContext } = AIO;
    const fs = require('node:fs');
    const threads = () => Number(/Threads:\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
    const before = threads();
    const ctx = new AioContext();
    const fd = fs.openSync(${JSON.stringify(file)}, 'r');
    fs.readFileSync(${JSON.stringify(file)}); // cached
    (async () => {
      for (let i = 0; i < 100; i++) await ctx.read({ fd }, Buffer.alloc(4096), i * 4096);
      await ctx.close();
      console.log('new threads', threads() - before, 'lane', ctx.stats.lane);
    })();`,
    { timeoutMs: 10_000 },
  );
  expect(result).toMatchObject({ code: 0, timedOut: false });
  expect(result.stdout).toBe('new threads 0 lane 0\n');
});
