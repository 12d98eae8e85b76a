// The snapshot an Op is made of: the checked arguments of a call (validate.ts), read once
// through the captured intrinsics and written into the Op, which the engine reads from then
// on. The caller's objects are never read again.
import { endianness } from 'node:os';
import { errnoException, InvalidArgTypeError } from '@aio/bind';
import { baseAddress, viewBuffer, viewByteLength, viewByteOffset } from '@aio/bind/internal';
import { fileHandleFd, isFileHandle, learnFrom } from '../file-handles.js';
import {
  checkFd,
  copyBuffers,
  ioprioOf,
  type RequestOptions,
  validatePosition,
  validateRwFlags,
  validateSignal,
  validateView,
} from '../validate.js';
import { refusedSyscall } from './failures.js';
import type { Op } from './op.js';

const EBADF = 9;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const LITTLE = endianness() === 'LE';

/** Sets `op.fd`, `op.file` and `op.fileHandle` from `file` (see toFd). */
export function setFile(op: Op, file: unknown, name = 'file'): void {
  if (typeof file !== 'object' || file === null) {
    op.fd = checkFd(file, name, false);
    op.file = null;
    return;
  }
  const handle = isFileHandle(file);
  const fd = handle ? fileHandleFd(file) : (file as { fd?: unknown }).fd; // read once
  // A FileHandle says -1 once closed: the operation fails as node:fs's own would.
  if (fd === -1) throw errnoException(EBADF, refusedSyscall(op), { fd: -1 });
  op.fd = checkFd(fd, `${name}.fd`, true);
  op.file = file;
  op.fileHandle = handle;
  if (!handle) learnFrom(file); // until the FileHandle class is known, such a handle is read like { fd }
}

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
  op.ab = viewBuffer(buffer);
  op.byteOffset = viewByteOffset(buffer);
  op.length = viewByteLength(buffer);
}

/** Sets the buffers of a readv or writev and encodes their `struct iovec` array. */
export function setBuffers(op: Op, buffers: unknown, name = 'buffers'): void {
  const views = copyBuffers(buffers, name);
  const n = views.length;
  const abs: ArrayBufferLike[] = [];
  const offsets: number[] = [];
  const lengths: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const view = views[i]!;
    abs.push(viewBuffer(view));
    offsets.push(viewByteOffset(view));
    lengths.push(viewByteLength(view));
    total += lengths[i]!;
  }
  op.abs = abs;
  op.offsets = offsets;
  op.lengths = lengths;
  op.length = total;
  op.iov = encodeIovecs(abs, offsets, lengths, 0);
}

const TWO_32 = 4294967296;

/**
 * `struct iovec { void *iov_base; size_t iov_len; }` x n (64-bit), for the parts of the buffers
 * after the first `skip` bytes (the rest of a vectored transfer that was partly done).
 */
export function encodeIovecs(
  abs: readonly ArrayBufferLike[],
  offsets: readonly number[],
  lengths: readonly number[],
  skip: number,
): Uint8Array {
  let first = 0;
  let into = skip;
  while (first < lengths.length && into >= lengths[first]!) into -= lengths[first++]!;
  const words = new Uint32Array(Math.max(lengths.length - first, 0) * 4);
  const lo = LITTLE ? 0 : 1;
  const hi = LITTLE ? 1 : 0;
  for (let i = first, w = 0; i < lengths.length; i++, w += 4) {
    const length = lengths[i]! - (i === first ? into : 0);
    const address =
      length === 0 ? 0 : baseAddress(abs[i]!) + offsets[i]! + (i === first ? into : 0);
    words[w + lo] = address >>> 0;
    words[w + hi] = (address / TWO_32) >>> 0;
    words[w + 2 + lo] = length >>> 0;
    words[w + 2 + hi] = (length / TWO_32) >>> 0;
  }
  return new Uint8Array(words.buffer);
}

/** Applies RequestOptions to an op (each option read once). */
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
