// Calls that must not run on the event loop's thread, made on the libuv threadpool through
// koffi's `.async`: an io_submit that may wait for the device (a buffered read of data that is
// not cached runs inside io_submit) and a poll(2) with a timeout (the waiter of contexts that
// cannot use uv_poll). Each costs a pool round trip (~37 µs here), so they are for the slow
// paths only. koffi refuses more than 256 concurrent async calls per thread by default, so
// callers bound how many they keep running.

import { type AioError, errnoException } from './errors.js';
import { ffi, koffi } from './ffi.js';

/**
 * io_submit(ctx, nr, iocbs) on a threadpool thread. `callback(null, accepted)` on success,
 * `callback(error)` with an AioError (syscall 'io_submit') when the kernel refused the first
 * iocb. Unchecked: `pointers` must hold the addresses of `nr` prepared iocbs; keep it, the
 * iocbs and their buffers referenced until the callback ran and the completions were reaped.
 */
export function submitOnThreadpool(
  ctx: bigint,
  pointers: BigUint64Array,
  nr: number,
  callback: (error: AioError | null, accepted: number) => void,
): void {
  const f = ffi();
  f.submitAsync.async(f.nr.io_submit, ctx, nr, pointers, (error: unknown, accepted: number) => {
    // koffi refuses the call itself only when too many async calls run: no room, try later.
    if (error) callback(errnoException(EAGAIN, 'io_submit'), 0);
    else if (accepted < 0) callback(errnoException(koffi.errno(), 'io_submit'), 0);
    else callback(null, accepted);
  });
}

const POLLIN = 0x1;
const EAGAIN = 11;

/**
 * Waits on a threadpool thread (up to `timeoutMs`) until `fd` is readable; `callback(true)`
 * when it is, `callback(false)` on timeout or error. The pool thread is given back after at
 * most `timeoutMs`, so other threadpool users are never starved by a long wait.
 */
export function pollOnThreadpool(
  fd: number,
  timeoutMs: number,
  callback: (readable: boolean) => void,
): void {
  // struct pollfd { int fd; short events; short revents; }: kept alive by the closure.
  const pollfd = new Int32Array(2);
  pollfd[0] = fd;
  new Int16Array(pollfd.buffer)[2] = POLLIN;
  ffi().poll.async(pollfd, 1, timeoutMs, (error: unknown, n: number) => {
    callback(!error && n > 0 && (new Int16Array(pollfd.buffer)[3]! & POLLIN) !== 0);
  });
}
