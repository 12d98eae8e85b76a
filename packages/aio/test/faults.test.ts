// Faults while requests are in flight, and special files that would block io_submit.
import { closeSync, constants, fsyncSync, openSync, writeFileSync } from 'node:fs';
import { open as openHandle } from 'node:fs/promises';
import { runChild } from '../../../test-support/child.js';
import {
  getEventsSyscalls,
  signalPending,
  untilSleepingIn,
} from '../../aio-bind/test/fixtures/blocked.js';
import { AioContext, allocAligned } from '../src/index.js';
import { expectBytes, pattern, tempDir, untilFileHandlesKnown, untilTurns } from './helpers.js';

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
      // One engine pass submits at most 16 rounds of 8: of 256, some are always still queued.
      const count = 256;
      const bufs = Array.from({ length: count }, () => allocAligned(4096));
      const reads = bufs.map((b, i) => ctx.read(fd, b, i * 16_384));
      // The engine's view, which only changes when it runs: requests it submitted and has not
      // reaped yet (the kernel holds them, or completed them into the ring), and the rest queued.
      expect(await untilTurns(() => ctx.inFlight > 0 && ctx.queued > 0)).toBe(true);
      const queuedAtClose = ctx.queued;
      closeSync(fd); // the kernel keeps its own reference to the file for in-flight requests
      const results = await Promise.allSettled(reads);
      let ok = 0;
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') {
          ok++;
          expectBytes(bufs[i]!, content.subarray(i * 16_384, i * 16_384 + 4096));
        } else {
          expect(r.reason).toMatchObject({ code: 'EBADF', fd });
        }
      });
      // Exactly those submitted before the close read (the ones in flight then included); the
      // queued ones were refused, not read from another file.
      expect(ok).toBe(count - queuedAtClose);
    } finally {
      await ctx.close();
    }
  });

  test('FileHandle closed mid-way: close() waits for every request (as for its own), all read the right bytes', async () => {
    const { path, content } = directFile('close-handle', 1 << 20);
    const ctx = new AioContext({ maxRequests: 4 });
    const fh = await openHandle(path, constants.O_RDONLY | constants.O_DIRECT); // stays in flight
    await untilFileHandlesKnown(fh);
    try {
      const bufs = Array.from({ length: 40 }, () => allocAligned(4096));
      const reads = bufs.map((b, i) => ctx.read(fh, b, i * 4096));
      const settled = Promise.allSettled(reads); // handled before any can reject
      let closedWith = -2;
      const closing = fh.close().then(() => {
        closedWith = ctx.inFlight + ctx.queued;
      });
      expect(fh.fd).toBeGreaterThanOrEqual(0); // still open: our requests hold it
      const results = await settled;
      await closing;
      expect(closedWith).toBe(0); // the descriptor was closed only after the last request
      expect(fh.fd).toBe(-1);
      results.forEach((r, i) => {
        expect(r).toEqual({ status: 'fulfilled', value: 4096 });
        expect(bufs[i]).toEqual(content.subarray(i * 4096, (i + 1) * 4096));
      });
    } finally {
      await ctx.close();
    }
  });
});

test('EINTR: a signal during a blocking getEvents() does not surface; the wait goes on', async () => {
  // Each step waits for the child's state in /proc: the signal goes to a thread asleep in the
  // syscall, and the data only once that thread has taken the signal and sleeps again.
  let steps: Promise<void> = Promise.resolve();
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
        const pid = child.pid!;
        steps = (async () => {
          await untilSleepingIn(pid, getEventsSyscalls());
          child.kill('SIGUSR1');
          await untilSleepingIn(pid, getEventsSyscalls(), () => !signalPending(pid, 'SIGUSR1'));
          child.stdin!.write('x');
        })();
        steps.catch(() => {}); // awaited below, once the child has ended
      },
    },
  );
  await steps; // rejects if the child was gone before a step
  expect(result).toMatchObject({ code: 0, timedOut: false });
  // The handler runs once the thread is back in JavaScript: after getEvents returned.
  expect(result.stdout).toBe('waiting\nevents 1 1\nsignal\n');
});

test('reads of pipes, eventfds, sockets wait for data without stopping the event loop; /proc, /sys, /dev/zero read', async () => {
  const result = await runChild(
    'core',
    `const { AioContext } = AIO;
    const { EFD } = BIND;
    const fs = require('node:fs');
    const ctx = new AioContext();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const efd = BIND.eventfd(0, EFD.CLOEXEC); // blocking eventfd, count 0: a plain read would hang
    const net = require('node:net');
    let peer;
    const server = net.createServer((s) => { peer = s; }).listen(0);
    const outcome = (p, buf) => p.then((n) => 'read ' + (n > 0 ? buf.subarray(0, n).toString('latin1').replace(/\\0/g, '0') : n), (e) => 'rejected ' + e.code);
    (async () => {
      const client = net.connect(server.address().port);
      await new Promise((r) => client.on('connect', r));
      while (peer === undefined) await new Promise((r) => setImmediate(r));
      const sock = client._handle.fd; // a connected, idle TCP socket
      const bufs = { pipe: Buffer.alloc(64), eventfd: Buffer.alloc(8), socket: Buffer.alloc(64), proc: Buffer.alloc(5), zero: Buffer.alloc(4, 1) };
      const pending = {
        pipe: outcome(ctx.read(0, bufs.pipe, 0), bufs.pipe),
        eventfd: outcome(ctx.read(efd, bufs.eventfd, 0), bufs.eventfd).then(() => 'read ' + bufs.eventfd.readBigUInt64LE()),
        socket: outcome(ctx.read(sock, bufs.socket, 0), bufs.socket),
      };
      let settled = 0;
      for (const p of Object.values(pending)) p.then(() => settled++);
      const start = ticks;
      while (ticks < start + 20) await new Promise((r) => setTimeout(r, 1));
      console.log('pending', settled); // 20 timer ticks later: all three still wait, the loop runs
      fs.writeSync(efd, new BigUint64Array([5n]));
      peer.write('hi');
      const results = {
        pipe: await pending.pipe,
        eventfd: await pending.eventfd,
        socket: await pending.socket,
        proc: await outcome(ctx.read(fs.openSync('/proc/self/status', 'r'), bufs.proc, 0), bufs.proc),
        sys: await ctx.read(fs.openSync('/sys/kernel/mm/transparent_hugepage/enabled', 'r'), Buffer.alloc(256), 0).then((n) => n > 0),
        zero: await outcome(ctx.read(fs.openSync('/dev/zero', 'r'), bufs.zero, 0), bufs.zero),
      };
      clearInterval(timer);
      console.log(JSON.stringify(results));
      client.destroy();
      peer.destroy();
      server.close();
      await ctx.close();
    })();`,
    {
      stdin: 'pipe',
      timeoutMs: 20_000,
      onLine: (line, child) => {
        if (line.startsWith('pending')) child.stdin!.write('piped');
      },
    },
  );
  expect(result.timedOut).toBe(false);
  const [pending, json] = result.stdout.trim().split('\n');
  expect(pending).toBe('pending 0');
  expect(JSON.parse(json!)).toEqual({
    pipe: 'read piped',
    eventfd: 'read 5',
    socket: 'read hi',
    proc: 'read Name:', // procfs has no nowait: it is read on the threadpool
    sys: true,
    zero: 'read 0000',
  });
});
