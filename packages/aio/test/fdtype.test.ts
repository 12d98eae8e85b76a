// Pipes, FIFOs, sockets, eventfds and character devices: a read through kernel AIO would run
// inside io_submit and could block the event loop forever. The context submits reads with
// RWF_NOWAIT: data that is there is read at once; otherwise the read waits for readiness
// (IOCB_CMD_POLL, or the threadpool where the file has no nowait support) and then reads, like
// a node:fs read would, without holding the loop. These run in-process because none of them
// blocks; process.test.ts checks the event loop keeps turning from outside.
import { closeSync, openSync, writeSync } from 'node:fs';
import { EFD, eventfd } from '@aio/bind';
import { pipe, socketPair } from '../../aio-bind/test/fixtures/pipes.js';
import { POLL, RWF } from '../src/index.js';
import { closeAll, untilTurns, withContext } from './helpers.js';

/** Settles `promise` into a state readable without awaiting it. */
function track<T>(promise: Promise<T>): { settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

/** Lets the loop turn `turns` times (the request must not settle meanwhile). */
async function turns(n: number): Promise<void> {
  await untilTurns(() => false, n);
}

describe('non-regular files wait for data without blocking', () => {
  test('an empty pipe: the read waits, then reads what is written', async () => {
    const [r, w] = pipe();
    await withContext(async (ctx) => {
      const buf = Buffer.alloc(16);
      const read = track(ctx.read(r, buf, 0));
      await turns(50);
      expect(read.settled).toBe(false);
      writeSync(w, 'abc');
      expect(await read.promise).toBe(3);
      expect(buf.subarray(0, 3).toString()).toBe('abc');
      expect(ctx.stats.polled).toBe(1);
      // With data already there it completes inside io_submit.
      writeSync(w, 'de');
      expect(await ctx.read(r, buf, 0)).toBe(2);
    });
    closeAll(r, w);
  });

  test("the caller's own RWF_NOWAIT keeps its meaning: EAGAIN at once", async () => {
    const [r, w] = pipe();
    await withContext(async (ctx) => {
      await expect(ctx.read(r, Buffer.alloc(16), 0, { rwFlags: RWF.NOWAIT })).rejects.toMatchObject(
        {
          code: 'EAGAIN',
          syscall: 'IOCB_CMD_PREAD',
          hint: expect.stringContaining('RWF_NOWAIT'),
        },
      );
    });
    closeAll(r, w);
  });

  test('a socket: the read waits; a write goes through; poll waits properly', async () => {
    const [a, b] = socketPair();
    await withContext(async (ctx) => {
      const buf = Buffer.alloc(8);
      const read = track(ctx.read(a, buf, 0));
      await turns(50);
      expect(read.settled).toBe(false);
      expect(await ctx.write(b, Buffer.from('ping'), 0)).toBe(4);
      expect(await read.promise).toBe(4);
      expect(buf.subarray(0, 4).toString()).toBe('ping');
      const ready = ctx.poll(a, POLL.IN);
      expect(await ctx.write(b, Buffer.from('pong'), 0)).toBe(4);
      expect((await ready) & POLL.IN).toBe(POLL.IN);
    });
    closeAll(a, b);
  });

  test('a blocking eventfd with count 0 (type bits 0): the read waits for a write', async () => {
    const efd = eventfd(0, EFD.CLOEXEC); // a plain read of it would block forever
    await withContext(async (ctx) => {
      const out = new BigUint64Array(1);
      const read = track(ctx.read(efd, out, 0));
      await turns(50);
      expect(read.settled).toBe(false);
      writeSync(efd, new BigUint64Array([7n]));
      expect(await read.promise).toBe(8);
      expect(out[0]).toBe(7n);
    });
    closeSync(efd);
  });

  test('a FIFO (no nowait support, no AIO poll when opened read-write) is read on the threadpool', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/aio-fifo-');
    execFileSync('mkfifo', [`${dir}/f`]);
    const fd = openSync(`${dir}/f`, 'r+'); // O_RDWR: open does not wait for a writer
    await withContext(async (ctx) => {
      const buf = Buffer.alloc(8);
      const read = track(ctx.read(fd, buf, 0));
      await turns(50);
      expect(read.settled).toBe(false);
      writeSync(fd, 'fifo');
      expect(await read.promise).toBe(4);
      expect(buf.subarray(0, 4).toString()).toBe('fifo');
      expect(ctx.stats.lane).toBeGreaterThan(0);
    });
    closeAll(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  test('close() does not wait for a read of a pipe no one writes: it rejects ERR_AIO_CLOSED', async () => {
    const [r, w] = pipe();
    await withContext(async (ctx) => {
      const read = ctx.read(r, Buffer.alloc(8), 0);
      const settled = read.then(
        () => 'resolved',
        (e: { code: string }) => e.code,
      );
      await turns(20);
      await ctx.close();
      expect(await settled).toBe('ERR_AIO_CLOSED');
    });
    closeAll(r, w);
  });

  test('character devices with nowait support (/dev/zero, /dev/null) complete at once', async () => {
    const zero = openSync('/dev/zero', 'r');
    const nul = openSync('/dev/null', 'r+');
    await withContext(async (ctx) => {
      const buf = Buffer.alloc(64, 1);
      expect(await ctx.read(zero, buf, 0)).toBe(64);
      expect(buf).toEqual(Buffer.alloc(64));
      expect(await ctx.write(nul, buf, 0)).toBe(64);
      expect(ctx.stats).toMatchObject({ lane: 0, polled: 0 });
    });
    closeAll(zero, nul);
  });
});

test('an object whose fd changes is checked again (a regular file, then a pipe)', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/aio-obj-');
  writeFileSync(`${dir}/f`, 'data');
  const fileFd = openSync(`${dir}/f`, 'r');
  const [r, w] = pipe();
  const file = { fd: fileFd };
  await withContext(async (ctx) => {
    expect(await ctx.read(file, Buffer.alloc(4), 0)).toBe(4); // classified: a regular file
    file.fd = r; // now a pipe: a plain read would block io_submit
    const buf = Buffer.alloc(4);
    const read = track(ctx.read(file, buf, 0));
    await turns(50);
    expect(read.settled).toBe(false);
    writeSync(w, 'pipe');
    expect(await read.promise).toBe(4);
    expect(buf.toString()).toBe('pipe');
  });
  closeAll(fileFd, r, w);
  rmSync(dir, { recursive: true, force: true });
});
