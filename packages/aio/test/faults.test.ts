// Faults while requests are in flight, and special files that would block io_submit.
import { closeSync, constants, fsyncSync, openSync, writeFileSync } from 'node:fs';
import { open as openHandle } from 'node:fs/promises';
import { runChild } from '../../../test-support/child.js';
import { AioContext, allocAligned } from '../src/index.js';
import { pattern, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function directFile(name: string, size: number): { path: string; content: Buffer } {
  const path = tmp.path(name);
  const content = pattern(size, 11);
  writeFileSync(path, content);
  const fd = openSync(path, 'r');
  fsyncSync(fd);
  closeSync(fd);
  return { path, content };
}

describe('an fd closed while its requests are in flight or queued', () => {
  test('raw fd: in-flight reads complete with the right bytes, queued ones fail EBADF', async () => {
    const { path, content } = directFile('close-fd', 4 << 20);
    const ctx = new AioContext({ maxRequests: 8 });
    const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
    try {
      const bufs = Array.from({ length: 64 }, () => allocAligned(4096));
      const reads = bufs.map((b, i) => ctx.read(fd, b, i * 65_536));
      await Promise.resolve(); // the flush submits the first 8
      expect(ctx.inFlight).toBeGreaterThan(0);
      closeSync(fd); // the kernel keeps its own reference to the file for in-flight requests
      const results = await Promise.allSettled(reads);
      let ok = 0;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') {
          ok++;
          expect(bufs[i]!.equals(content.subarray(i * 65_536, i * 65_536 + 4096))).toBe(true);
        } else {
          expect(r.reason).toMatchObject({ code: 'EBADF', fd });
        }
      });
      expect(ok).toBeGreaterThanOrEqual(8); // at least those already in flight
      expect(ok).toBeLessThan(64); // the queued ones were refused, not read from another file
    } finally {
      await ctx.close();
    }
  });

  test('FileHandle closed mid-way: the same, and the handle is never used after close', async () => {
    const { path } = directFile('close-handle', 1 << 20);
    const ctx = new AioContext({ maxRequests: 4 });
    const fh = await openHandle(path, constants.O_RDONLY | constants.O_DIRECT); // stays in flight
    try {
      const reads = Array.from({ length: 40 }, (_, i) =>
        ctx.read(fh, allocAligned(4096), i * 4096),
      );
      const settled = Promise.allSettled(reads); // handled before any can reject
      await Promise.resolve();
      await fh.close();
      const results = await settled;
      for (const r of results) {
        if (r.status === 'fulfilled') expect(r.value).toBe(4096);
        else expect(r.reason).toMatchObject({ code: 'EBADF' });
      }
      expect(results.some((r) => r.status === 'rejected')).toBe(true);
    } finally {
      await ctx.close();
    }
  });
});

test('EINTR: a signal during a blocking getEvents() does not surface; the wait goes on', async () => {
  const result = await runChild(
    'core',
    `const { AioContext, PollRequest, POLL } = AIO;
    process.on('SIGUSR1', () => console.log('signal'));
    const ctx = new AioContext();
    const poll = new PollRequest(0, POLL.IN);
    ctx.submit(poll);
    console.log('waiting');
    const events = ctx.getEvents(1, 1, 10_000_000_000);
    console.log('events', events.length, events[0] && (events[0].res & POLL.IN));
    ctx.closeSync();`,
    {
      stdin: 'pipe',
      onLine: (line, child) => {
        if (line !== 'waiting') return;
        setTimeout(() => child.kill('SIGUSR1'), 150);
        setTimeout(() => child.stdin!.write('x'), 400);
      },
    },
  );
  expect(result).toMatchObject({ code: 0, timedOut: false });
  // The handler runs once the thread is back in JavaScript: after getEvents returned.
  expect(result.stdout).toBe('waiting\nevents 1 1\nsignal\n');
});

test('reads of pipes, eventfds, sockets, /proc and /sys files never stop the event loop', async () => {
  const result = await runChild(
    'core',
    `const { AioContext, EFD } = AIO;
    const fs = require('node:fs');
    const ctx = new AioContext();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    const efd = BIND.eventfd(0, EFD.CLOEXEC); // blocking eventfd, count 0
    const net = require('node:net');
    const server = net.createServer().listen(0);
    const outcome = (p) => p.then((n) => 'read ' + (n > 0 ? 'data' : n), (e) => 'rejected ' + e.code);
    (async () => {
      const client = net.connect(server.address().port);
      await new Promise((r) => client.on('connect', r));
      const sock = client._handle.fd; // a connected, idle TCP socket
      const results = {
        pipe: await outcome(ctx.read(0, Buffer.alloc(64), 0)),
        eventfd: await outcome(ctx.read(efd, Buffer.alloc(8), 0)),
        socket: await outcome(ctx.read(sock, Buffer.alloc(64), 0)),
        proc: await outcome(ctx.read(fs.openSync('/proc/self/status', 'r'), Buffer.alloc(4096), 0)),
        sys: await outcome(ctx.read(fs.openSync('/sys/kernel/mm/transparent_hugepage/enabled', 'r'), Buffer.alloc(256), 0)),
        zero: await outcome(ctx.read(fs.openSync('/dev/zero', 'r'), Buffer.alloc(64), 0)),
      };
      await new Promise((r) => setTimeout(r, 50));
      clearInterval(timer);
      console.log(JSON.stringify({ ...results, ticking: ticks > 10 }));
      client.destroy();
      server.close();
      await ctx.close();
    })();`,
    { stdin: 'pipe', timeoutMs: 15_000 },
  );
  expect(result.timedOut).toBe(false);
  expect(JSON.parse(result.stdout)).toEqual({
    pipe: 'rejected EAGAIN',
    eventfd: 'rejected EAGAIN',
    socket: 'rejected EAGAIN',
    proc: 'rejected EINVAL', // procfs seq files have no read_iter: refused at submit, never blocking
    sys: 'read data',
    zero: 'read data',
    ticking: true,
  });
});
