// eventfd: how the kernel tells user space that AIO completions arrived (IOCB_FLAG_RESFD),
// and two ways to wait for it without blocking the event loop: FdPoller (fd-poller.ts:
// libuv's uv_poll through koffi, no thread) and eventfdWait (a blocking read on the libuv
// threadpool).

import { OutOfRangeError } from './arg-errors.js';
import { EFD } from './constants.js';
import { errnoException } from './errors.js';
import { ffi, lastErrno } from './ffi.js';
import { validateFd, validateInteger } from './validate.js';

const EAGAIN = 11;
const EFD_ALL = EFD.SEMAPHORE | EFD.NONBLOCK | EFD.CLOEXEC;

/**
 * `int eventfd2(unsigned int initval, int flags)`: a new eventfd. Close it with fs.closeSync.
 * @param flags `EFD.SEMAPHORE | EFD.NONBLOCK | EFD.CLOEXEC`
 * @throws {RangeError} `ERR_OUT_OF_RANGE` for unknown flags; {@link AioError} EMFILE, ENFILE, ENOMEM.
 * @example const efd = eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC);
 */
export function eventfd(initval = 0, flags = 0): number {
  validateInteger(initval, 'initval', 0, 0xffff_ffff);
  validateInteger(flags, 'flags', 0, EFD_ALL);
  if ((flags & ~EFD_ALL) !== 0) {
    throw new OutOfRangeError(
      'flags',
      'a combination of EFD.SEMAPHORE, EFD.NONBLOCK, EFD.CLOEXEC',
      flags,
    );
  }
  const f = ffi();
  const fd = f.eventfd2(f.nr.eventfd2, initval, flags);
  if (fd < 0) throw errnoException(lastErrno(), 'eventfd2');
  return fd;
}

const counter = new BigUint64Array(1);

/**
 * Reads (and so resets) the counter of a non-blocking eventfd: 0n when it was 0.
 * @throws {AioError} for any failure but EAGAIN (EBADF, EINVAL...).
 */
export function eventfdRead(fd: number): bigint {
  validateFd(fd);
  const f = ffi();
  if (f.read(fd, counter, 8) === 8) return counter[0]!;
  const errno = lastErrno();
  if (errno === EAGAIN) return 0n;
  throw errnoException(errno, 'read', { fd });
}

/**
 * Waits on a libuv threadpool thread until the eventfd's counter is non-zero, reads it and
 * resolves with it. For a *blocking* eventfd (without EFD.NONBLOCK): the pool thread sleeps in
 * read(2) and the pending call keeps the process alive until it returns. Wake it by writing
 * to the eventfd. The fallback when FdPoller cannot be used.
 */
export function eventfdWait(fd: number): Promise<bigint> {
  validateFd(fd);
  const out = new BigUint64Array(1);
  const f = ffi();
  return new Promise((resolve, reject) => {
    f.read.async(fd, out, 8, (error: unknown, got: number) => {
      if (error) reject(error);
      else if (got === 8) resolve(out[0]!);
      else reject(errnoException(lastErrno(), 'read', { fd }));
    });
  });
}
