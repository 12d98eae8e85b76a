// Argument checks of the public API: everything is checked before an Op exists, so nothing
// the kernel could misuse (a length beyond its buffer, a negative offset) ever reaches it.
import {
  encodeIovecs,
  errnoException,
  InvalidArgTypeError,
  InvalidArgValueError,
  IOPRIO_CLASS,
  IOV_MAX,
  ioprioValue,
  OutOfRangeError,
  POLL_ALL,
  RWF_ALL,
  S64_MAX,
  validateInteger,
  validateView,
} from '@aio/bind';
import type { Op } from './op.js';

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

/** The fd of `file`. A closed FileHandle (fd -1) is an EBADF AioError. */
export function toFd(file: unknown, name = 'file'): number {
  if (typeof file === 'number') {
    if (Number.isInteger(file) && file >= 0 && file <= FD_MAX) return file;
    throw new OutOfRangeError(name, `an integer >= 0 and <= ${FD_MAX}`, file);
  }
  if (typeof file === 'object' && file !== null) {
    const fd = (file as { fd?: unknown }).fd;
    if (typeof fd === 'number') {
      if (Number.isInteger(fd) && fd >= 0 && fd <= FD_MAX) return fd;
      if (fd === -1) throw errnoException(EBADF, 'io_submit', { fd: -1 });
      throw new OutOfRangeError(`${name}.fd`, `an integer >= 0 and <= ${FD_MAX}`, fd);
    }
  }
  throw new InvalidArgTypeError(
    name,
    'a file descriptor (number) or an object with a numeric fd (FileHandle)',
    file,
  );
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

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Sets `op.position` (or `op.bigPosition` at or above 2^53) from a required offset. */
export function setPosition(op: Op, position: unknown, name = 'position'): void {
  validatePosition(position, name);
  if (typeof position === 'number') op.position = position;
  else if (position <= MAX_SAFE) op.position = Number(position);
  else op.bigPosition = position;
}

/** Sets the single buffer of a read or write: the whole view is transferred. */
export function setBuffer(op: Op, buffer: unknown, name = 'buffer'): void {
  validateView(buffer, name);
  op.buffer = buffer;
  op.length = buffer.byteLength;
}

/** Checks the buffers of a readv or writev (at most IOV_MAX views); returns their total size. */
export function validateBuffers(
  buffers: unknown,
  name = 'buffers',
): asserts buffers is readonly ArrayBufferView[] {
  if (!Array.isArray(buffers)) {
    throw new InvalidArgTypeError(name, 'an array of Buffer, TypedArray or DataView', buffers);
  }
  if (buffers.length > IOV_MAX) {
    throw new OutOfRangeError(`${name}.length`, `<= ${IOV_MAX} (IOV_MAX)`, buffers.length);
  }
  for (let i = 0; i < buffers.length; i++) validateView(buffers[i], `${name}[${i}]`);
}

/** Sets the buffers of a readv or writev and encodes their iovec array. */
export function setBuffers(op: Op, buffers: unknown, name = 'buffers'): void {
  validateBuffers(buffers, name);
  let total = 0;
  for (const buffer of buffers) total += buffer.byteLength;
  op.buffers = buffers.slice();
  op.iov = encodeIovecs(op.buffers);
  op.length = total;
}

/** Checks a POLL event mask (POLL.* bits from @aio/bind). */
export function validatePollEvents(events: unknown, name = 'events'): asserts events is number {
  validateInteger(events, name, 0, 0xffff);
  if ((events & ~POLL_ALL) !== 0) {
    throw new InvalidArgValueError(name, events, 'has bits that are not POLL.* flags');
  }
}

/** The aio_reqprio value of a priority option. */
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

function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

/** Checks an AbortSignal option. */
export function validateSignal(
  signal: unknown,
  name = 'options.signal',
): asserts signal is AbortSignal {
  if (!isAbortSignal(signal))
    throw new InvalidArgTypeError(name, 'an instance of AbortSignal', signal);
}

/** Applies RequestOptions to an op. */
export function applyOptions(op: Op, options: unknown, readOrWrite: boolean): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgTypeError('options', 'of type object', options);
  }
  const { signal, rwFlags, priority } = options as RequestOptions;
  if (signal !== undefined) {
    validateSignal(signal);
    op.signal = signal;
  }
  if (rwFlags !== undefined) op.rwFlags = validateRwFlags(rwFlags, readOrWrite);
  if (priority !== undefined) op.ioprio = ioprioOf(priority);
}
