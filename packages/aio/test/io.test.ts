import { constants, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { addressOf } from '@aio/bind';
import { pipe } from '../../aio-bind/test/fixtures/pipes.js';
import { AioContext, POLL, RWF } from '../src/index.js';
import {
  BACKENDS,
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

function aligned(size: number): Buffer {
  const raw = Buffer.alloc(size + 4096);
  const off = Number(addressOf(raw) % 4096n);
  return raw.subarray(off === 0 ? 0 : 4096 - off).subarray(0, size);
}

describe.each(BACKENDS)('backend %s', (backend) => {
  const opts = { backend } as const;

  test('read: bytes at the position, short at EOF, 0 past it', async () => {
    const content = pattern(10_000);
    const fd = fileWith(tmp.path(`r-${backend}`), content);
    await withContext(async (ctx) => {
      expect(ctx.backend).toBe(backend);
      const buf = Buffer.alloc(4000);
      expect(await ctx.read(fd, buf, 1000)).toBe(4000);
      expect(buf).toEqual(content.subarray(1000, 5000));
      expect(await ctx.read(fd, buf, 9000)).toBe(1000);
      expect(await ctx.read(fd, buf, 20_000)).toBe(0);
      expect(await ctx.read(fd, buf, 20_000n)).toBe(0);
      const u16 = new Uint16Array(5);
      expect(await ctx.read(fd, u16, 0)).toBe(10); // any ArrayBufferView
      expect(Buffer.from(u16.buffer)).toEqual(content.subarray(0, 10));
      expect(await ctx.read(fd, buf.subarray(10, 20), 2)).toBe(10); // a sub-range is a subarray
      expect(buf.subarray(10, 20)).toEqual(content.subarray(2, 12));
    }, opts);
    closeAll(fd);
  });

  test('write, writev, fsync, fdatasync, then node:fs reads the same bytes', async () => {
    const path = tmp.path(`w-${backend}`);
    const fd = fileWith(path, Buffer.alloc(0));
    await withContext(async (ctx) => {
      expect(await ctx.write(fd, Buffer.from('hello '), 0)).toBe(6);
      expect(
        await ctx.writev(fd, [Buffer.from('kernel '), new Uint8Array([0x61, 0x69, 0x6f])], 6),
      ).toBe(10);
      await expect(ctx.fsync(fd)).resolves.toBeUndefined();
      await expect(ctx.fdatasync(fd)).resolves.toBeUndefined();
    }, opts);
    closeAll(fd);
    expect(readFileSync(path, 'utf8')).toBe('hello kernel aio');
  });

  test('readv fills buffers in order', async () => {
    const content = pattern(100);
    const fd = fileWith(tmp.path(`rv-${backend}`), content);
    await withContext(async (ctx) => {
      const parts = [Buffer.alloc(7), Buffer.alloc(0), Buffer.alloc(50)];
      expect(await ctx.readv(fd, parts, 3)).toBe(57);
      expect(Buffer.concat(parts)).toEqual(content.subarray(3, 60));
      expect(await ctx.readv(fd, [], 0)).toBe(0);
    }, opts);
    closeAll(fd);
  });

  test('a FileHandle works as the file, and the context survives many requests at once', async () => {
    const content = pattern(64 * 1024);
    const path = tmp.path(`fh-${backend}`);
    writeFileSync(path, content);
    const fh = await open(path, 'r');
    await withContext(async (ctx) => {
      const bufs = Array.from({ length: 500 }, () => Buffer.alloc(128));
      const n = await Promise.all(bufs.map((b, i) => ctx.read(fh, b, (i * 128) % content.length)));
      expect(n).toEqual(Array(500).fill(128));
      bufs.forEach((b, i) => {
        const at = (i * 128) % content.length;
        expect(b).toEqual(content.subarray(at, at + 128));
      });
    }, opts);
    await fh.close();
  });

  test('O_DIRECT reads and writes with aligned memory complete through the eventfd', async () => {
    const content = pattern(1 << 20);
    const path = tmp.path(`d-${backend}`);
    writeFileSync(path, content);
    const fh = await open(path, constants.O_RDWR | constants.O_DIRECT);
    await withContext(async (ctx) => {
      const bufs = Array.from({ length: 64 }, () => aligned(4096));
      await Promise.all(bufs.map((b, i) => ctx.read(fh, b, i * 4096 * 3)));
      bufs.forEach((b, i) => {
        expect(b).toEqual(content.subarray(i * 12288, i * 12288 + 4096));
      });
      const data = aligned(8192).fill(0x42);
      expect(await ctx.write(fh, data, 8192, { rwFlags: RWF.DSYNC })).toBe(8192);
      expect(ctx.inFlight).toBe(0);
    }, opts);
    await fh.close();
    expectBytes(readFileSync(path).subarray(8192, 16384), Buffer.alloc(8192, 0x42));
  });

  test('O_DIRECT misalignment rejects with ERR_AIO_MISALIGNED (EINVAL) carrying the operation', async () => {
    const path = tmp.path(`dm-${backend}`);
    writeFileSync(path, pattern(8192));
    const fh = await open(path, constants.O_RDONLY | constants.O_DIRECT);
    await withContext(async (ctx) => {
      await expect(ctx.read(fh, aligned(4097).subarray(1), 0)).rejects.toMatchObject({
        name: 'MisalignedError',
        code: 'ERR_AIO_MISALIGNED',
        errno: -22,
        field: 'buffer',
        syscall: 'IOCB_CMD_PREAD',
        fd: fh.fd,
        command: 'read',
        position: 0,
        length: 4096,
        hint: expect.stringContaining('O_DIRECT'),
        cause: expect.objectContaining({ code: 'EINVAL' }),
      });
    }, opts);
    await fh.close();
  });

  test('poll resolves the revents mask when a pipe becomes readable', async () => {
    const [r, w] = pipe();
    await withContext(async (ctx) => {
      let settled = false;
      const polled = ctx.poll(r, POLL.IN).finally(() => {
        settled = true;
      });
      // The pipe is empty: the kernel holds the poll, and it stays pending until data comes.
      expect(await untilTurns(() => ctx.inFlight === 1)).toBe(true);
      await untilTurns(() => settled, 20);
      expect(settled).toBe(false);
      require('node:fs').writeSync(w, 'x');
      expect((await polled) & POLL.IN).toBe(POLL.IN);
    }, opts);
    closeAll(r, w);
  });

  test('priority and rwFlags options reach the kernel', async () => {
    const fd = fileWith(tmp.path(`p-${backend}`), pattern(4096));
    await withContext(async (ctx) => {
      const buf = Buffer.alloc(4096);
      expect(
        await ctx.read(fd, buf, 0, { priority: { class: 'be', level: 3 }, rwFlags: RWF.NOWAIT }),
      ).toBe(4096);
      expect(await ctx.read(fd, buf, 0, { priority: { class: 'idle', level: 0 } })).toBe(4096);
      expect(await ctx.write(fd, buf, 0, { rwFlags: RWF.SYNC })).toBe(4096);
    }, opts);
    closeAll(fd);
  });
});

test('a position at or above 2^53 goes through as a bigint (the kernel answers for it)', async () => {
  const fd = fileWith(tmp.path('big'), pattern(16));
  await withContext(async (ctx) => {
    const buf = Buffer.alloc(16);
    const far = 2n ** 60n;
    expect(await ctx.read(fd, buf, far)).toBe(0); // past EOF
    await expect(ctx.write(fd, buf, far)).rejects.toMatchObject({ code: 'EFBIG', position: far });
  });
  closeAll(fd);
});

test('a negative res rejects that request only', async () => {
  const good = fileWith(tmp.path('good'), pattern(64));
  const readOnly = fileWith(tmp.path('ro'), pattern(64), 'r');
  await withContext(async (ctx) => {
    const results = await Promise.allSettled([
      ctx.read(good, Buffer.alloc(8), 0),
      ctx.write(readOnly, Buffer.alloc(8), 0),
      ctx.read(good, Buffer.alloc(8), 8),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: 'EBADF',
      command: 'write',
    });
  });
  closeAll(good, readOnly);
});

test('a context is usable with the default options and reports its settings', () => {
  const ctx = new AioContext();
  try {
    expect(ctx.maxRequests).toBe(128);
    expect(ctx.inFlight).toBe(0);
    expect(ctx.queued).toBe(0);
    expect(ctx.closed).toBe(false);
    expect(ctx.backend).toBe('poll');
    expect(ctx.submitBatch).toBe(16);
  } finally {
    ctx.closeSync();
  }
  expect(ctx.closed).toBe(true);
});
