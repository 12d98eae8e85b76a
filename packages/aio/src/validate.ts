// Argument checks of the public API (engine/snapshot.ts turns checked arguments into an Op).
// Everything a caller controls is read once, at the call: a getter on an option object or on
// `{ fd }` runs now or never, views are read through the captured intrinsics, and a list of
// buffers is copied. Nothing the kernel could misuse (a length beyond its buffer, a negative
// offset) survives these checks.
import {
  type AioSyscall,
  errnoException,
  InvalidArgTypeError,
  InvalidArgValueError,
  IOPRIO_CLASS,
  IOV_MAX,
  ioprioValue,
  OutOfRangeError,
  POLL_ALL,
  RWF_ALL,
} from '@aio/bind';
import {
  isArray,
  isDetached,
  isResizable,
  isView,
  S64_MAX,
  validateInteger,
  viewBuffer,
  viewByteLength,
} from '@aio/bind/internal';
import { fileHandleFd, isFileHandle } from './file-handles.js';
import { isAbortSignal } from './primordials.js';

/** A file descriptor, or an object with a numeric `fd` such as a `fs.promises` FileHandle. */
export type FileLike = number | { readonly fd: number };

/** I/O priority of a request: class and level 0 (highest) to 7. */
export interface Priority {
  class: 'rt' | 'be' | 'idle';
  level: number;
}

/** Options every request method takes. */
export interface RequestOptions {
  /** Aborts the request: see the README's abort policy. */
  signal?: AbortSignal;
  /** `RWF_*` flags from @aio/bind (reads and writes only). */
  rwFlags?: number;
  /** I/O priority; 'rt' needs CAP_SYS_ADMIN or CAP_SYS_NICE. */
  priority?: Priority;
}

const FD_MAX = 0x7fff_ffff;
const CLASSES = { rt: IOPRIO_CLASS.RT, be: IOPRIO_CLASS.BE, idle: IOPRIO_CLASS.IDLE } as const;
const EBADF = 9;

/** Checks an fd number; `ofObject` when it was read from a `{ fd }` object (-1: closed). */
export function checkFd(
  fd: unknown,
  name: string,
  ofObject: boolean,
  syscall: AioSyscall = 'io_submit',
): number {
  if (typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 && fd <= FD_MAX) return fd;
  // A FileHandle says -1 once it is closed: that is a closed file, not a bad argument.
  if (fd === -1 && ofObject) throw errnoException(EBADF, syscall, { fd: -1 });
  if (typeof fd === 'number')
    throw new OutOfRangeError(name, `an integer >= 0 and <= ${FD_MAX}`, fd);
  throw new InvalidArgTypeError(
    name,
    'a file descriptor (number) or an object with a numeric fd (FileHandle)',
    fd,
  );
}

/**
 * The fd of `file`: a number, a genuine FileHandle (read through Node's own getter), or any
 * object's `fd` (read once). A closed FileHandle (fd -1) is an EBADF AioError.
 */
export function toFd(file: unknown, name = 'file', syscall: AioSyscall = 'io_submit'): number {
  if (typeof file === 'number') return checkFd(file, name, false);
  if (typeof file === 'object' && file !== null) {
    if (isFileHandle(file)) return checkFd(fileHandleFd(file), `${name}.fd`, true, syscall);
    return checkFd((file as { fd?: unknown }).fd, `${name}.fd`, true, syscall);
  }
  return checkFd(file, name, false);
}

/** Checks a required file offset: a non-negative safe integer, or a bigint within __s64. */
export function validatePosition(
  position: unknown,
  name = 'position',
): asserts position is number | bigint {
  if (typeof position === 'number') {
    if (!Number.isSafeInteger(position) || position < 0) {
      throw new OutOfRangeError(name, 'a non-negative safe integer or a bigint', position);
    }
    return;
  }
  if (typeof position === 'bigint') {
    if (position < 0n || position > S64_MAX) {
      throw new OutOfRangeError(name, '>= 0n and <= 2n ** 63n - 1n', position);
    }
    return;
  }
  throw new InvalidArgTypeError(
    name,
    'of type number or bigint (the file offset is required)',
    position,
  );
}

/**
 * Checks that `value` is memory the kernel may use: a genuine view (a Proxy or look-alike is
 * not one), not detached, not backed by a resizable ArrayBuffer (which could shrink while the
 * kernel uses it). A growable SharedArrayBuffer only grows, so its views are fine.
 */
export function validateView(value: unknown, name: string): asserts value is ArrayBufferView {
  if (!isView(value)) {
    throw new InvalidArgTypeError(name, 'an instance of Buffer, TypedArray, or DataView', value);
  }
  const buffer = viewBuffer(value);
  if (viewByteLength(value) === 0 && isDetached(buffer)) {
    throw new InvalidArgValueError(name, value, 'is backed by a detached ArrayBuffer');
  }
  if (isResizable(buffer)) {
    throw new InvalidArgValueError(
      name,
      value,
      'is backed by a resizable ArrayBuffer, which could shrink while the kernel uses it',
    );
  }
}

/** A copy of a readv/writev list (at most IOV_MAX genuine views), each element read once. */
export function copyBuffers(buffers: unknown, name = 'buffers'): ArrayBufferView[] {
  if (!isArray(buffers)) {
    throw new InvalidArgTypeError(name, 'an array of Buffer, TypedArray or DataView', buffers);
  }
  const count = buffers.length;
  if (count > IOV_MAX)
    throw new OutOfRangeError(`${name}.length`, `<= ${IOV_MAX} (IOV_MAX)`, count);
  const out: ArrayBufferView[] = [];
  for (let i = 0; i < count; i++) {
    const view: unknown = buffers[i];
    validateView(view, `${name}[${i}]`);
    out.push(view);
  }
  return out;
}

/** Checks the buffers of a readv or writev (at most IOV_MAX genuine views). */
export function validateBuffers(
  buffers: unknown,
  name = 'buffers',
): asserts buffers is readonly ArrayBufferView[] {
  copyBuffers(buffers, name);
}

/** Checks a POLL event mask (POLL.* bits from @aio/bind). */
export function validatePollEvents(events: unknown, name = 'events'): asserts events is number {
  validateInteger(events, name, 0, 0xffff);
  if ((events & ~POLL_ALL) !== 0) {
    throw new InvalidArgValueError(name, events, 'has bits that are not POLL.* flags');
  }
}

/** The aio_reqprio value of a priority option (its two fields read once). */
export function ioprioOf(priority: unknown, name = 'options.priority'): number {
  if (typeof priority !== 'object' || priority === null) {
    throw new InvalidArgTypeError(
      name,
      "an object { class: 'rt' | 'be' | 'idle', level }",
      priority,
    );
  }
  const { class: cls, level } = priority as { class?: unknown; level?: unknown };
  if (cls !== 'rt' && cls !== 'be' && cls !== 'idle') {
    throw new InvalidArgValueError(`${name}.class`, cls, "must be 'rt', 'be' or 'idle'");
  }
  validateInteger(level, `${name}.level`, 0, 7);
  return ioprioValue(CLASSES[cls], level);
}

/** Checks rwFlags: only known RWF bits, and none for commands that take no flags. */
export function validateRwFlags(
  rwFlags: unknown,
  readOrWrite: boolean,
  name = 'options.rwFlags',
): number {
  validateInteger(rwFlags, name, 0, RWF_ALL);
  if (rwFlags !== 0 && !readOrWrite) {
    throw new InvalidArgValueError(name, rwFlags, 'must be 0 for fsync, fdatasync and poll');
  }
  return rwFlags;
}

/** Checks an AbortSignal option: a genuine AbortSignal (look-alikes are refused). */
export function validateSignal(
  signal: unknown,
  name = 'options.signal',
): asserts signal is AbortSignal {
  if (!isAbortSignal(signal))
    throw new InvalidArgTypeError(name, 'an instance of AbortSignal', signal);
}
