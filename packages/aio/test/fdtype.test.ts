// Only regular files and block devices are asynchronous under AIO: a read of a pipe, socket,
// eventfd or character device would run inside io_submit and could block the event loop
// forever. The context adds RWF_NOWAIT to those: the kernel answers EAGAIN (or ENOTSUP where
// nowait is unsupported) instead of waiting. These run in-process because none of them blocks;
// process.test.ts checks the event loop keeps turning.
import { closeSync, openSync, writeSync } from 'node:fs';
import { EFD, eventfd } from '@aio/bind';
import { pipe, socketPair } from '../../aio-bind/test/fixtures/pipes.js';
import { POLL } from '../src/index.js';
import { closeAll, withContext } from './helpers.js';

describe('non-regular files never block', () => {
  test('an empty pipe: read rejects EAGAIN at once; with data it reads', async () => {
    const [r, w] = pipe();
    await withContext(async (ctx) => {
      await expect(ctx.read(r, Buffer.alloc(16), 0)).rejects.toMatchObject({
        code: 'EAGAIN',
        syscall: 'IOCB_CMD_PREAD',
        hint: expect.stringContaining('RWF_NOWAIT'),
      });
      writeSync(w, 'abc');
      const buf = Buffer.alloc(16);
      expect(await ctx.read(r, buf, 0)).toBe(3);
      expect(buf.subarray(0, 3).toString()).toBe('abc');
    });
    closeAll(r, w);
  });

  test('a socket: read EAGAIN when empty; write goes through; poll waits properly', async () => {
    const [a, b] = socketPair();
    await withContext(async (ctx) => {
      await expect(ctx.read(a, Buffer.alloc(8), 0)).rejects.toMatchObject({ code: 'EAGAIN' });
      const ready = ctx.poll(a, POLL.IN);
      expect(await ctx.write(b, Buffer.from('ping'), 0)).toBe(4);
      expect((await ready) & POLL.IN).toBe(POLL.IN);
      const buf = Buffer.alloc(8);
      expect(await ctx.read(a, buf, 0)).toBe(4);
    });
    closeAll(a, b);
  });

  test('an eventfd with count 0 (type bits 0) -> EAGAIN, not a hang', async () => {
    const efd = eventfd(0, EFD.CLOEXEC); // blocking eventfd: a plain read would wait forever
    await withContext(async (ctx) => {
      await expect(ctx.read(efd, Buffer.alloc(8), 0)).rejects.toMatchObject({ code: 'EAGAIN' });
    });
    closeSync(efd);
  });

  test('a FIFO (no nowait support) is refused at submit with ENOTSUP', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/aio-fifo-');
    execFileSync('mkfifo', [`${dir}/f`]);
    const fd = openSync(`${dir}/f`, 'r+'); // O_RDWR: open does not wait for a writer
    await withContext(async (ctx) => {
      await expect(ctx.read(fd, Buffer.alloc(8), 0)).rejects.toMatchObject({
        code: 'ENOTSUP',
        syscall: 'io_submit',
        fd,
      });
    });
    closeAll(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  test('character devices with nowait support (/dev/zero, /dev/null) complete at once', async () => {
    const zero = openSync('/dev/zero', 'r');
    const nul = openSync('/dev/null', 'r+');
    await withContext(async (ctx) => {
      const buf = Buffer.alloc(64, 1);
      expect(await ctx.read(zero, buf, 0)).toBe(64);
      expect(buf.every((x) => x === 0)).toBe(true);
      expect(await ctx.write(nul, buf, 0)).toBe(64);
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
    expect(await ctx.read(file, Buffer.alloc(4), 0)).toBe(4); // type cached: regular file
    file.fd = r; // now a pipe: must be checked again, or the read would block io_submit
    await expect(ctx.read(file, Buffer.alloc(4), 0)).rejects.toMatchObject({ code: 'EAGAIN' });
  });
  closeAll(fileFd, r, w);
  rmSync(dir, { recursive: true, force: true });
});
