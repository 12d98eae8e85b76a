import { writeSync } from 'node:fs';
import {
  type AioError,
  addressOf,
  encodeIocb,
  IOCB_CMD,
  io_cancel,
  io_getevents,
  io_submit,
  POLL,
} from '../src/index.js';
import { pipe, socketPair } from './fixtures/pipes.js';
import { waitEvents } from './fixtures/run.js';
import { closeAll, fileWith, pattern, tempDir, withContext } from './helpers.js';

const NOW = { tv_sec: 0, tv_nsec: 0 };
const pollIocb = (fd: number, events: number, data = 1) =>
  encodeIocb(new Uint8Array(64), {
    aio_lio_opcode: IOCB_CMD.POLL,
    aio_fildes: fd,
    aio_buf: events,
    aio_data: data,
  });

describe('IOCB_CMD_POLL', () => {
  test('on a pipe: pending until data arrives, then res is the revents mask', () => {
    const [r, w] = pipe();
    withContext(4, (ctx) => {
      expect(io_submit(ctx, [pollIocb(r, POLL.IN)])).toBe(1);
      expect(io_getevents(ctx, 0, 1, new Uint8Array(32), NOW)).toBe(0);
      writeSync(w, 'x');
      const [event] = waitEvents(ctx, 1);
      expect(event!.res & POLL.IN).toBe(POLL.IN);
    });
    closeAll(r, w);
  });

  test('on a socket: POLLOUT is ready at once', () => {
    const [a, b] = socketPair();
    withContext(4, (ctx) => {
      expect(io_submit(ctx, [pollIocb(a, POLL.OUT)])).toBe(1);
      expect(waitEvents(ctx, 1)[0]!.res & POLL.OUT).toBe(POLL.OUT);
    });
    closeAll(a, b);
  });

  test('io_cancel of an in-flight POLL is accepted and its event arrives on the ring', () => {
    const [r, w] = pipe();
    withContext(4, (ctx) => {
      const iocb = pollIocb(r, POLL.IN, 42);
      expect(io_submit(ctx, [iocb])).toBe(1);
      const result = new Uint8Array(32);
      expect(io_cancel(ctx, iocb, result)).toBe(true);
      const [event] = waitEvents(ctx, 1);
      expect(event).toMatchObject({ data: 42n, obj: addressOf(iocb) });
      expect(event!.res & POLL.IN).toBe(0); // cancelled, not ready
      // It is gone: a second cancel finds nothing.
      expect(() => io_cancel(ctx, iocb, result)).toThrow(
        expect.objectContaining({ code: 'EINVAL', syscall: 'io_cancel' }),
      );
    });
    closeAll(r, w);
  });

  test('io_cancel of a file read is refused with EINVAL and a hint', () => {
    const tmp = tempDir();
    const fd = fileWith(tmp.dir, 'f', pattern(64));
    const out = Buffer.alloc(64);
    withContext(4, (ctx) => {
      const iocb = encodeIocb(new Uint8Array(64), {
        aio_lio_opcode: IOCB_CMD.PREAD,
        aio_fildes: fd,
        aio_buf: addressOf(out),
        aio_nbytes: 64,
      });
      io_submit(ctx, [iocb]);
      let error: AioError | undefined;
      try {
        io_cancel(ctx, iocb, new Uint8Array(32));
      } catch (e) {
        error = e as AioError;
      }
      expect(error).toMatchObject({
        code: 'EINVAL',
        fd,
        hint: expect.stringContaining('only IOCB_CMD_POLL'),
      });
      // The read was not cancelled: it completed normally.
      expect(waitEvents(ctx, 1)[0]!.res).toBe(64);
    });
    closeAll(fd);
    tmp.cleanup();
  });

  test.each([
    ['a short iocb', (ctx: bigint) => io_cancel(ctx, new Uint8Array(10), new Uint8Array(32))],
    ['a short result', (ctx: bigint) => io_cancel(ctx, new Uint8Array(64), new Uint8Array(31))],
  ])('refuses %s before the kernel', (_name, call) => {
    withContext(4, (ctx) =>
      expect(() => call(ctx)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' })),
    );
  });
});
