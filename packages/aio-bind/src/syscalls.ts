// The five AIO syscalls and io_pgetevents, named and shaped as in the kernel. Each checks its
// arguments' types and the sizes of the memory the kernel will write, then makes the call and
// turns -1 + errno into an AioError. Semantic checks (nr_events 0, min_nr > nr, a bad fd,
// aio_reserved2 != 0) are left to the kernel so that its errors stay observable.
import { IOCB_LAYOUT, NATIVE_ABI, SIZEOF_IO_EVENT, SIZEOF_IOCB, timespecLayout } from './abi.js';
import { InvalidArgTypeError, OutOfRangeError } from './arg-errors.js';
import { type AioSyscall, errnoException, type HintContext } from './errors.js';
import { ffi, koffiAddress, lastErrno } from './ffi.js';
import {
  ArrayBufferCtor,
  BigIntCtor,
  BigUint64ArrayCtor,
  DataViewCtor,
  dvGetUint32,
  dvSetBigInt64,
  isArray,
  numberIsSafeInteger,
  typedArrayLength,
  typedArrayName,
  Uint8ArrayCtor,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
} from './intrinsics.js';
import { destroyRing, registerRing } from './ring-lifetime.js';
import {
  S64_MAX,
  toU64,
  validateContext,
  validateInteger,
  validateStructBuffer,
  validateView,
} from './validate.js';

/** A relative timeout for io_getevents: `{ tv_sec, tv_nsec }` as in `struct timespec`. */
export interface Timespec {
  tv_sec: number | bigint;
  tv_nsec: number;
}

const EINPROGRESS = 115;
// The counts of io_submit and io_getevents are C `long`s, capped here at INT_MAX: no call can
// use more, since io_submit clamps nr to the context's nr_events, io_getevents copies at most
// what the ring holds, and io_setup refuses more than 0x10000000 / 32 events.
const INT_MAX = 0x7fff_ffff;

function fail(syscall: AioSyscall, context?: HintContext): never {
  throw errnoException(lastErrno(), syscall, context);
}

function encodeTimespec(timeout: Timespec | null | undefined): Uint8Array | null {
  if (timeout === null || timeout === undefined) return null;
  if (typeof timeout !== 'object') {
    throw new InvalidArgTypeError('timeout', 'an object { tv_sec, tv_nsec } or null', timeout);
  }
  const layout = timespecLayout();
  // Each field is read once: a getter cannot pass the check with one value and give another.
  const sec = toU64(timeout.tv_sec, 'timeout.tv_sec', S64_MAX);
  const nsec: unknown = timeout.tv_nsec;
  validateInteger(nsec, 'timeout.tv_nsec', 0, 999_999_999);
  const memory = new ArrayBufferCtor(16);
  const dv = new DataViewCtor(memory);
  const le = NATIVE_ABI.endianness === 'LE';
  dvSetBigInt64(dv, layout.tv_sec, sec, le);
  dvSetBigInt64(dv, layout.tv_nsec, BigIntCtor(nsec), le);
  return new Uint8ArrayCtor(memory);
}

/**
 * The checks io_getevents and io_pgetevents share, in the order they run: the context, both
 * counts, an events buffer the kernel can write `nr` events into, then the timeout, which is
 * returned encoded (null: wait forever).
 */
function getEventsArgs(
  ctx: bigint,
  minNr: number,
  nr: number,
  events: Uint8Array,
  timeout: Timespec | null | undefined,
): Uint8Array | null {
  validateContext(ctx);
  validateInteger(minNr, 'minNr', 0, INT_MAX);
  validateInteger(nr, 'nr', 0, INT_MAX);
  validateView(events, 'events');
  const length = viewByteLength(events);
  if (nr * SIZEOF_IO_EVENT > length) {
    // The kernel would write nr * 32 bytes: past the end of the buffer is outside JS memory.
    throw new OutOfRangeError('nr', `<= events.byteLength / 32 (${length >>> 5})`, nr);
  }
  return encodeTimespec(timeout);
}

/**
 * The iocb pointer array for io_submit and the first iocb (for the error's fd). An array's
 * elements are read exactly once, before any is validated: an index getter or a Proxy runs
 * here and cannot swap a checked view for another afterwards.
 */
function iocbPointers(iocbs: unknown): { pointers: BigUint64Array; first?: ArrayBufferView } {
  if (typedArrayName(iocbs) === 'BigUint64Array') return { pointers: iocbs as BigUint64Array };
  if (!isArray(iocbs)) {
    throw new InvalidArgTypeError('iocbs', 'an array of Uint8Array or a BigUint64Array', iocbs);
  }
  const length: unknown = (iocbs as unknown[]).length;
  if (
    typeof length !== 'number' ||
    !numberIsSafeInteger(length) ||
    length < 0 ||
    length > INT_MAX
  ) {
    throw new OutOfRangeError('iocbs.length', `an integer <= ${INT_MAX}`, length);
  }
  const items: unknown[] = [];
  for (let i = 0; i < length; i++) items[i] = (iocbs as unknown[])[i];
  const pointers = new BigUint64ArrayCtor(length);
  for (let i = 0; i < length; i++) {
    validateStructBuffer(items[i], `iocbs[${i}]`, SIZEOF_IOCB);
    pointers[i] = koffiAddress(items[i]);
  }
  return { pointers, first: items[0] as ArrayBufferView | undefined };
}

/**
 * `int io_setup(unsigned nr_events, aio_context_t *ctxp)`: creates a context able to hold
 * `nrEvents` requests in flight and returns its id (the address of its completion ring).
 *
 * @throws {AioError} EAGAIN (over /proc/sys/fs/aio-max-nr; the hint gives the numbers),
 * EINVAL (0 or too many events), ENOSYS / EPERM (no AIO or filtered), ENOMEM.
 * @example const ctx = io_setup(128);
 */
export function io_setup(nrEvents: number): bigint {
  validateInteger(nrEvents, 'nrEvents', 0, 0xffff_ffff);
  const out = new BigUint64Array(1);
  const { nr, setup } = ffi();
  if (setup(nr.io_setup, nrEvents, out) < 0) fail('io_setup', { nrEvents });
  const ctx = out[0]!;
  try {
    registerRing(ctx);
  } catch (error) {
    const f = ffi();
    f.destroy(f.nr.io_destroy, ctx);
    throw error;
  }
  return ctx;
}

/**
 * `int io_destroy(aio_context_t ctx)`: waits for every request in flight, then frees the
 * context and unmaps its ring. Events not yet reaped are lost. Any thread may destroy any
 * context of the process: when another thread owns its ring, this waits for a read of it in
 * progress there, and that thread's CompletionRing then reports the context destroyed
 * instead of reading unmapped memory.
 * @throws {AioError} EINVAL (unknown or already destroyed context).
 */
export function io_destroy(ctx: bigint): void {
  validateContext(ctx);
  const errno = destroyRing(ctx);
  if (errno !== 0) throw errnoException(errno, 'io_destroy');
}

/**
 * `int io_submit(aio_context_t ctx, long nr, struct iocb **iocbpp)`: queues `nr` iocbs
 * (default: all). `iocbs` is an array of 64-byte iocb buffers, or a BigUint64Array of iocb
 * addresses (the allocation-free path; see IocbArray). Returns how many the kernel accepted:
 * it stops at the first bad iocb and throws only when the very first one is bad.
 *
 * Neither the iocbs nor the buffers they point to are kept alive by this call: keep them
 * referenced until their completions are reaped.
 * @throws {AioError} EAGAIN (ring full), EBADF, EINVAL, EOPNOTSUPP, EFAULT, EPERM for iocb 0.
 */
export function io_submit(
  ctx: bigint,
  iocbs: ReadonlyArray<Uint8Array> | BigUint64Array,
  nr?: number,
): number {
  validateContext(ctx);
  const { pointers, first } = iocbPointers(iocbs);
  // The true element count: an overridden `length` must not let the kernel read past it.
  const length = typedArrayLength(pointers);
  const count = nr ?? length;
  validateInteger(count, 'nr', 0, Math.min(length, INT_MAX));
  const f = ffi();
  const accepted = f.submit(f.nr.io_submit, ctx, count, pointers);
  if (accepted < 0) {
    const errno = lastErrno();
    const fd = first === undefined ? undefined : fildesOf(first);
    throw errnoException(errno, 'io_submit', fd === undefined ? { index: 0 } : { index: 0, fd });
  }
  return accepted;
}

/**
 * `int io_getevents(aio_context_t ctx, long min_nr, long nr, struct io_event *events,
 * struct timespec *timeout)`: waits for at least `minNr` completions (at most until
 * `timeout`; `null` waits forever, `{ tv_sec: 0, tv_nsec: 0 }` does not wait) and copies up
 * to `nr` of them into `events` (32 bytes each; decode with decodeIoEvent or IoEventArray).
 * @throws {AioError} EINVAL (bad context or min_nr/nr), EINTR (a signal: call again), EFAULT.
 * @throws {RangeError} `ERR_OUT_OF_RANGE` when `events` is shorter than `nr * 32` bytes.
 */
export function io_getevents(
  ctx: bigint,
  minNr: number,
  nr: number,
  events: Uint8Array,
  timeout?: Timespec | null,
): number {
  const ts = getEventsArgs(ctx, minNr, nr, events, timeout);
  const f = ffi();
  const got = f.getevents(f.nr.io_getevents, ctx, minNr, nr, events, ts);
  if (got < 0) fail('io_getevents', { minNr, nr });
  return got;
}

/**
 * `int io_pgetevents(..., const struct __aio_sigset *usig)`: io_getevents with `sigmask`
 * (bit n-1 set blocks signal n) installed for the duration of the wait, as pselect does.
 * `null` keeps the current mask. Container seccomp filters often refuse it (EPERM).
 * @throws {AioError} as io_getevents, plus EPERM / ENOSYS when filtered or missing.
 */
export function io_pgetevents(
  ctx: bigint,
  minNr: number,
  nr: number,
  events: Uint8Array,
  timeout?: Timespec | null,
  sigmask?: bigint | null,
): number {
  const ts = getEventsArgs(ctx, minNr, nr, events, timeout);
  let usig: BigUint64Array | null = null;
  if (sigmask !== null && sigmask !== undefined) {
    // [sigset_t, struct __aio_sigset { const sigset_t *sigmask; size_t sigsetsize; }] in one
    // array, so the set the kernel reads through a pointer lives as long as the argument.
    // The kernel's sigset_t is 64 bits on every architecture in SYSCALL_TABLE.
    const memory = new ArrayBufferCtor(24);
    const both = new BigUint64ArrayCtor(memory);
    both[0] = toU64(sigmask, 'sigmask');
    both[2] = 8n;
    both[1] = koffiAddress(memory);
    usig = new BigUint64ArrayCtor(memory, 8, 2);
  }
  const f = ffi();
  const got = f.pgetevents(f.nr.io_pgetevents, ctx, minNr, nr, events, ts, usig);
  if (got < 0) fail('io_pgetevents', { minNr, nr });
  return got;
}

/**
 * `int io_cancel(aio_context_t ctx, struct iocb *iocb, struct io_event *result)`: asks the
 * kernel to cancel the in-flight request submitted from `iocb` (the same memory that was
 * submitted). Returns true when the kernel accepted: current kernels answer EINPROGRESS and
 * deliver the cancelled request's event on the ring (reap it as usual); kernels that complete
 * the cancellation at once write the event into `result` (32 bytes) and return 0.
 * Only IOCB_CMD_POLL requests can be cancelled; reads and writes of files cannot.
 * @throws {AioError} EINVAL (not in flight, or not cancellable), EAGAIN, EFAULT.
 */
export function io_cancel(ctx: bigint, iocb: Uint8Array, result: Uint8Array): boolean {
  validateContext(ctx);
  validateStructBuffer(iocb, 'iocb', SIZEOF_IOCB);
  validateStructBuffer(result, 'result', SIZEOF_IO_EVENT);
  const f = ffi();
  if (f.cancel(f.nr.io_cancel, ctx, iocb, result) === 0) return true;
  const errno = lastErrno();
  if (errno === EINPROGRESS) return true;
  throw errnoException(errno, 'io_cancel', { fd: fildesOf(iocb) });
}

function fildesOf(iocb: ArrayBufferView): number {
  const dv = new DataViewCtor(viewBuffer(iocb), viewByteOffset(iocb), SIZEOF_IOCB);
  return dvGetUint32(dv, IOCB_LAYOUT.aio_fildes, IOCB_LAYOUT.endianness === 'LE');
}
