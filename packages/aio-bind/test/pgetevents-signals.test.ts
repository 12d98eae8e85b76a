import { runChild } from '../../../test-support/child.js';
import {
  addressOf,
  decodeIoEvent,
  encodeIocb,
  IOCB_CMD,
  io_pgetevents,
  io_submit,
} from '../src/index.js';
import { getEventsSyscalls, untilSleepingIn } from './fixtures/blocked.js';
import { closeAll, fileWith, pattern, tempDir, withContext } from './helpers.js';

describe('io_pgetevents', () => {
  test('returns events with and without a sigmask (not filtered on this machine)', () => {
    const tmp = tempDir();
    const fd = fileWith(tmp.dir, 'p', pattern(32));
    const out = Buffer.alloc(32);
    withContext(4, (ctx) => {
      for (const sigmask of [null, 0n, 1n << 9n]) {
        const iocb = encodeIocb(new Uint8Array(64), {
          aio_lio_opcode: IOCB_CMD.PREAD,
          aio_fildes: fd,
          aio_buf: addressOf(out),
          aio_nbytes: 32,
        });
        io_submit(ctx, [iocb]);
        const events = new Uint8Array(32);
        expect(io_pgetevents(ctx, 1, 1, events, { tv_sec: 1, tv_nsec: 0 }, sigmask)).toBe(1);
        expect(decodeIoEvent(events).res).toBe(32);
      }
      expect(() => io_pgetevents(ctx, 0, 1, new Uint8Array(32), null, -1n)).toThrow(
        expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }),
      );
    });
    closeAll(fd);
    tmp.cleanup();
  });
});

describe('EINTR', () => {
  // A blocked io_getevents stops its whole thread, so the signal comes from the parent, once
  // /proc shows the child's main thread asleep in it (a signal sent before would be handled
  // outside the syscall, and the wait would run its 10 s out).
  test('a signal during io_getevents -> AioError EINTR, with the hint to call again', async () => {
    let watch: Promise<void> = Promise.resolve();
    const result = await runChild(
      'bind',
      `
      process.on('SIGUSR1', () => {}); // handled, so it interrupts instead of killing
      const ctx = AIO.io_setup(1);
      console.log('waiting');
      try {
        AIO.io_getevents(ctx, 1, 1, new Uint8Array(32), { tv_sec: 10, tv_nsec: 0 });
        console.log(JSON.stringify({ returned: true }));
      } catch (e) {
        console.log(JSON.stringify({ code: e.code, syscall: e.syscall, hint: e.hint }));
      }
      AIO.io_destroy(ctx);
      `,
      {
        onLine: (line, child) => {
          if (line !== 'waiting') return;
          watch = untilSleepingIn(child.pid!, getEventsSyscalls()).then(() => {
            child.kill('SIGUSR1');
          });
          watch.catch(() => {}); // awaited below, once the child has ended
        },
      },
    );
    await watch; // rejects if the child was gone before it blocked
    expect(result.timedOut).toBe(false);
    const last = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(last).toMatchObject({
      code: 'EINTR',
      syscall: 'io_getevents',
      hint: expect.stringContaining('call again'),
    });
  });
});
