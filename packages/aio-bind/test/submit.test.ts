import { fstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addressOf,
  encodeIocb,
  encodeIovecs,
  IOCB_CMD,
  IOCB_FLAG,
  IOPRIO_CLASS,
  io_getevents,
  io_submit,
  ioprioValue,
  RWF,
} from '../src/index.js';
import { pipe } from './fixtures/pipes.js';
import { runOne, waitEvents } from './fixtures/run.js';
import { closeAll, fileWith, pattern, tempDir, withContext } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('commands end to end', () => {
  test('PREAD reads the bytes at the offset, and the event carries data and obj', () => {
    const content = pattern(10_000);
    const fd = fileWith(tmp.dir, 'pread', content);
    const out = Buffer.alloc(3000);
    withContext(8, (ctx) => {
      const { event, iocb } = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: out.length,
        aio_offset: 1234,
        aio_data: 0xabcdefn,
      });
      expect(event).toEqual({ data: 0xabcdefn, obj: addressOf(iocb), res: 3000, res2: 0 });
      expect(out).toEqual(content.subarray(1234, 4234));
    });
    closeAll(fd);
  });

  test('PREAD past EOF is a short read, not an error', () => {
    const fd = fileWith(tmp.dir, 'short', pattern(100));
    const out = Buffer.alloc(4096);
    withContext(4, (ctx) => {
      const { event } = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: 4096,
        aio_offset: 60,
      });
      expect(event.res).toBe(40);
    });
    closeAll(fd);
  });

  test('PWRITE writes at the offset', () => {
    const fd = fileWith(tmp.dir, 'pwrite', Buffer.alloc(100));
    const data = Buffer.from('kernel aio');
    withContext(4, (ctx) => {
      const { event } = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PWRITE,
        aio_fildes: fd,
        aio_buf: addressOf(data),
        aio_nbytes: data.length,
        aio_offset: 50,
      });
      expect(event.res).toBe(data.length);
    });
    closeAll(fd);
    const written = readFileSync(join(tmp.dir, 'pwrite'));
    expect(written.subarray(50, 60).toString()).toBe('kernel aio');
    expect(written.subarray(0, 50)).toEqual(Buffer.alloc(50));
  });

  test('PREADV scatters into several buffers; PWRITEV gathers', () => {
    const content = pattern(64);
    const fd = fileWith(tmp.dir, 'vec', content);
    const parts = [Buffer.alloc(10), Buffer.alloc(0), Buffer.alloc(20)];
    const iov = encodeIovecs(parts);
    withContext(4, (ctx) => {
      const { event } = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PREADV,
        aio_fildes: fd,
        aio_buf: addressOf(iov),
        aio_nbytes: parts.length,
        aio_offset: 4,
      });
      expect(event.res).toBe(30);
      expect(Buffer.concat(parts)).toEqual(content.subarray(4, 34));

      const out = [Buffer.from('abc'), Buffer.from('defg')];
      const wiov = encodeIovecs(out);
      const w = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PWRITEV,
        aio_fildes: fd,
        aio_buf: addressOf(wiov),
        aio_nbytes: 2,
        aio_offset: 0,
      });
      expect(w.event.res).toBe(7);
    });
    closeAll(fd);
    expect(readFileSync(join(tmp.dir, 'vec')).subarray(0, 7).toString()).toBe('abcdefg');
  });

  test.each([IOCB_CMD.FSYNC, IOCB_CMD.FDSYNC])(
    'command %i (FSYNC/FDSYNC) completes with res 0',
    (cmd) => {
      const fd = fileWith(tmp.dir, `sync${cmd}`, pattern(100));
      withContext(4, (ctx) => {
        expect(runOne(ctx, { aio_lio_opcode: cmd, aio_fildes: fd }).event.res).toBe(0);
        // Non-zero nbytes is refused at submit time.
        expect(() =>
          io_submit(ctx, [
            encodeIocb(new Uint8Array(64), { aio_lio_opcode: cmd, aio_fildes: fd, aio_nbytes: 1 }),
          ]),
        ).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      });
      closeAll(fd);
    },
  );

  test('a batch is submitted in one call and completes in any order', () => {
    const content = pattern(8192);
    const fd = fileWith(tmp.dir, 'batch', content);
    const outs = Array.from({ length: 8 }, () => Buffer.alloc(1024));
    const iocbs = outs.map((out, i) =>
      encodeIocb(new Uint8Array(64), {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: 1024,
        aio_offset: i * 1024,
        aio_data: i,
      }),
    );
    withContext(16, (ctx) => {
      expect(io_submit(ctx, iocbs)).toBe(8);
      const events = waitEvents(ctx, 8);
      expect(events.map((e) => Number(e.data)).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(events.map((e) => e.res)).toEqual(Array(8).fill(1024));
    });
    expect(Buffer.concat(outs)).toEqual(content);
    closeAll(fd);
  });
});

describe('io_submit failures', () => {
  const buf = Buffer.alloc(16);
  const read = (fd: number, extra = {}) =>
    encodeIocb(new Uint8Array(64), {
      aio_lio_opcode: IOCB_CMD.PREAD,
      aio_fildes: fd,
      aio_buf: addressOf(buf),
      aio_nbytes: 16,
      ...extra,
    });

  test('EBADF names iocb 0 and its fd', () => {
    withContext(4, (ctx) => {
      expect(() => io_submit(ctx, [read(99_999)])).toThrow(
        expect.objectContaining({
          code: 'EBADF',
          syscall: 'io_submit',
          index: 0,
          fd: 99_999,
          hint: expect.stringContaining('iocb 0 (fd 99999)'),
        }),
      );
    });
  });

  test('aio_reserved2 != 0 -> EINVAL', () => {
    const fd = fileWith(tmp.dir, 'res2', pattern(16));
    withContext(4, (ctx) => {
      expect(() => io_submit(ctx, [read(fd, { aio_reserved2: 1 })])).toThrow(
        expect.objectContaining({ code: 'EINVAL' }),
      );
    });
    closeAll(fd);
  });

  test('a bad iocb after a good one: the kernel accepts the good one and stops', () => {
    const fd = fileWith(tmp.dir, 'partial', pattern(16));
    withContext(4, (ctx) => {
      expect(io_submit(ctx, [read(fd), read(99_999), read(fd)])).toBe(1);
      expect(waitEvents(ctx, 1)[0]!.res).toBe(16);
    });
    closeAll(fd);
  });

  test('the BigUint64Array path submits addresses, nr limits the count', () => {
    const fd = fileWith(tmp.dir, 'ptrs', pattern(16));
    const iocbs = [read(fd), read(fd)];
    const pointers = new BigUint64Array(iocbs.map((b) => addressOf(b)));
    withContext(4, (ctx) => {
      expect(io_submit(ctx, pointers, 1)).toBe(1);
      expect(io_submit(ctx, pointers.subarray(1))).toBe(1);
      expect(waitEvents(ctx, 2).map((e) => e.res)).toEqual([16, 16]);
      expect(io_submit(ctx, pointers, 0)).toBe(0);
    });
    closeAll(fd);
  });

  test.each([
    ['nr above the array', (ctx: bigint) => io_submit(ctx, [read(0)], 2), 'ERR_OUT_OF_RANGE'],
    ['a short iocb', (ctx: bigint) => io_submit(ctx, [new Uint8Array(63)]), 'ERR_OUT_OF_RANGE'],
    ['not an array', (ctx: bigint) => io_submit(ctx, 'x' as never), 'ERR_INVALID_ARG_TYPE'],
    ['a non-view element', (ctx: bigint) => io_submit(ctx, [{}] as never), 'ERR_INVALID_ARG_TYPE'],
    [
      'events shorter than nr',
      (ctx: bigint) => io_getevents(ctx, 0, 2, new Uint8Array(63)),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'negative min_nr',
      (ctx: bigint) => io_getevents(ctx, -1, 1, new Uint8Array(32)),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'tv_nsec >= 1e9',
      (ctx: bigint) => io_getevents(ctx, 0, 1, new Uint8Array(32), { tv_sec: 0, tv_nsec: 1e9 }),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'negative tv_sec',
      (ctx: bigint) => io_getevents(ctx, 0, 1, new Uint8Array(32), { tv_sec: -1, tv_nsec: 0 }),
      'ERR_OUT_OF_RANGE',
    ],
    [
      'timeout not an object',
      (ctx: bigint) => io_getevents(ctx, 0, 1, new Uint8Array(32), 5 as never),
      'ERR_INVALID_ARG_TYPE',
    ],
  ])('%s -> %s before the kernel', (_name, call, code) => {
    withContext(4, (ctx) => expect(() => call(ctx)).toThrow(expect.objectContaining({ code })));
  });
});

describe('flags', () => {
  test('IOCB_FLAG_IOPRIO with a valid priority runs; an unknown class is refused', () => {
    const fd = fileWith(tmp.dir, 'prio', pattern(64));
    const out = Buffer.alloc(64);
    withContext(4, (ctx) => {
      for (const [cls, level] of [
        [IOPRIO_CLASS.BE, 4],
        [IOPRIO_CLASS.IDLE, 0],
        [IOPRIO_CLASS.RT, 0],
      ] as const) {
        const { event } = runOne(ctx, {
          aio_lio_opcode: IOCB_CMD.PREAD,
          aio_fildes: fd,
          aio_buf: addressOf(out),
          aio_nbytes: 64,
          aio_flags: IOCB_FLAG.IOPRIO,
          aio_reqprio: ioprioValue(cls, level),
        });
        expect(event.res).toBe(64);
      }
      const bad = encodeIocb(new Uint8Array(64), {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: 64,
        aio_flags: IOCB_FLAG.IOPRIO,
        aio_reqprio: 4 << 13, // class 4 does not exist
      });
      expect(() => io_submit(ctx, [bad])).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    });
    closeAll(fd);
  });

  test('RWF_NOWAIT: a cached read succeeds; an empty pipe answers EAGAIN in the event', () => {
    const fd = fileWith(tmp.dir, 'nowait', pattern(64));
    const out = Buffer.alloc(64);
    const [r, w] = pipe();
    withContext(4, (ctx) => {
      const cached = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: 64,
        aio_rw_flags: RWF.NOWAIT,
      });
      expect(cached.event.res).toBe(64);
      const empty = runOne(ctx, {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: r,
        aio_buf: addressOf(out),
        aio_nbytes: 64,
        aio_rw_flags: RWF.NOWAIT,
      });
      expect(empty.event.res).toBe(-11);
    });
    closeAll(fd, r, w);
  });

  test('an rw flag the kernel does not know -> ENOTSUP (EOPNOTSUPP) at submit', () => {
    const fd = fileWith(tmp.dir, 'badrwf', pattern(64));
    const out = Buffer.alloc(64);
    withContext(4, (ctx) => {
      const iocb = encodeIocb(new Uint8Array(64), {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: 64,
        aio_rw_flags: 0x4000_0000,
      });
      expect(() => io_submit(ctx, [iocb])).toThrow(
        expect.objectContaining({
          code: 'ENOTSUP',
          errno: -95,
          hint: expect.stringContaining('iocb 0'),
        }),
      );
    });
    closeAll(fd);
  });

  test('io_getevents with a zero timeout returns at once; with a timeout waits it out', () => {
    withContext(4, (ctx) => {
      const events = new Uint8Array(32);
      expect(io_getevents(ctx, 1, 1, events, { tv_sec: 0, tv_nsec: 0 })).toBe(0);
      const start = process.hrtime.bigint();
      expect(io_getevents(ctx, 1, 1, events, { tv_sec: 0n, tv_nsec: 30_000_000 })).toBe(0);
      // The timeout is what is tested: only a lower bound, which a slow machine cannot break
      // (the kernel sleeps at least 30 ms; the slack is for the clocks' granularity).
      expect(Number(process.hrtime.bigint() - start) / 1e6).toBeGreaterThanOrEqual(25);
    });
  });

  test('fstat sanity: the test files are regular files', () => {
    const fd = fileWith(tmp.dir, 'sanity', pattern(1));
    expect(fstatSync(fd).isFile()).toBe(true);
    closeAll(fd);
  });
});
