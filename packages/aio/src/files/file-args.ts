// The argument forms of fs.promises FileHandle.read / write / readv / writev, parsed once per
// call into what the kernel will be given: a fresh Uint8Array over exactly the caller's bytes
// (built from the views' internal slots, never from their overridable properties) and a
// position, null for "at the file pointer". Each option property is read once, before any
// check, so a getter runs once at the call and cannot change a value after it was validated.
import { InvalidArgTypeError, InvalidArgValueError, OutOfRangeError } from '@aio/bind';
import {
  isArray,
  isDetached,
  isResizable,
  isView,
  S64_MAX,
  validateInteger,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
} from '@aio/bind/internal';
import type { RequestOptions } from '../validate.js';

/** Node's kIoMaxLength: the most one read or write call takes (2 ** 31 - 1). */
export const IO_MAX_LENGTH = 0x7fff_ffff;
/** Linux's MAX_RW_COUNT: one read(2) / write(2) / iocb transfers at most this (INT_MAX & PAGE_MASK). */
export const MAX_RW_COUNT = 0x7fff_f000;

/** A file offset, or null for the file pointer. */
export type Position = number | bigint | null;

/** A parsed read or write: the bytes to transfer and where. */
export interface Span<B> {
  /** What the result reports back (`buffer` of node's result object). */
  readonly buffer: B;
  /** Exactly the bytes to transfer, a new view the caller cannot alter. */
  readonly bytes: Uint8Array;
  readonly position: Position;
  /** The request options given in an options object (signal, rwFlags, priority), if any. */
  readonly options: RequestOptions | undefined;
}

const VIEW = 'an instance of Buffer, TypedArray, or DataView';
const slice = Function.prototype.call.bind(Array.prototype.slice) as (list: unknown) => unknown[];

/**
 * A Uint8Array over [offset, offset + length) of a genuine view, through its internal slots.
 * @throws {InvalidArgValueError} `ERR_INVALID_ARG_VALUE` for detached or resizable memory.
 */
export function bytesOf(
  view: ArrayBufferView,
  offset = 0,
  length?: number,
  name = 'buffer',
): Uint8Array {
  const memory = viewBuffer(view);
  if (isDetached(memory))
    throw new InvalidArgValueError(name, view, 'is backed by a detached ArrayBuffer');
  if (isResizable(memory)) {
    throw new InvalidArgValueError(
      name,
      view,
      'is backed by a resizable ArrayBuffer, which could shrink while the kernel uses it',
    );
  }
  const size = length ?? viewByteLength(view) - offset;
  return new Uint8Array(memory, viewByteOffset(view) + offset, size);
}

/** A position argument: a safe integer >= -1 or a bigint >= -1n (-1 and null mean the file pointer). */
export function parsePosition(position: unknown, name = 'position'): Position {
  if (position === null || position === undefined) return null;
  if (typeof position === 'number') {
    validateInteger(position, name, -1, Number.MAX_SAFE_INTEGER);
    return position === -1 ? null : position;
  }
  if (typeof position === 'bigint') {
    if (position < -1n || position > S64_MAX)
      throw new OutOfRangeError(name, '>= -1n and <= 2n ** 63n - 1n', position);
    if (position === -1n) return null;
    return position <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(position) : position;
  }
  throw new InvalidArgTypeError(name, 'of type number or bigint, or null', position);
}

function validateOptionsObject(value: unknown, name: string): void {
  if (value !== null && (typeof value !== 'object' || isArray(value)))
    throw new InvalidArgTypeError(name, 'of type object', value);
}

/** The request options of an options object, in a fresh object (each property read once). */
function requestOptions(o: Record<string, unknown>): RequestOptions | undefined {
  const { signal, rwFlags, priority } = o;
  if (signal === undefined && rwFlags === undefined && priority === undefined) return undefined;
  return { signal, rwFlags, priority } as RequestOptions;
}

function parseOffset(offset: unknown): number {
  if (offset === null || offset === undefined) return 0;
  validateInteger(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  return offset;
}

function validateLength(length: unknown, max: number): asserts length is number {
  if (typeof length !== 'number') throw new InvalidArgTypeError('length', 'of type number', length);
  if (!Number.isInteger(length) || length < 0 || length > max)
    throw new OutOfRangeError('length', `an integer >= 0 and <= ${max}`, length);
}

/**
 * FileHandle.read's forms: (buffer, offset?, length?, position?), (buffer, { offset, length,
 * position }) and ({ buffer, offset, length, position }). Returns null bytes for a zero length.
 */
export function readArgs<B extends ArrayBufferView>(
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
): Span<B> {
  let buffer = a;
  let offset = b;
  let length = c;
  let position = d;
  let options: RequestOptions | undefined;
  if (!isView(buffer)) {
    if (buffer !== undefined) validateOptionsObject(buffer, 'options');
    const o = (buffer ?? {}) as Record<string, unknown>;
    try {
      ({ buffer, offset, length, position } = o);
      options = requestOptions(o);
    } catch (cause) {
      // A Proxy of a view is no view, and its getters throw when read as options.
      const error = new InvalidArgTypeError('buffer', `${VIEW}, or an options object`, o);
      throw Object.assign(error, { cause });
    }
    if (buffer === undefined) buffer = Buffer.alloc(16384);
    else if (!isView(buffer)) throw new InvalidArgTypeError('buffer', VIEW, buffer);
  } else if (offset !== null && typeof offset === 'object') {
    const o = offset as Record<string, unknown>;
    ({ offset, length, position } = o);
    options = requestOptions(o);
  }
  const view = buffer as B;
  const size = viewByteLength(view);
  const start = parseOffset(offset);
  const at = parsePosition(position);
  if (length === undefined || length === null) length = size - start;
  if (length === 0) return { buffer: view, bytes: new Uint8Array(0), position: at, options };
  if (size === 0) throw new InvalidArgValueError('buffer', view, 'is empty and cannot be written');
  if (start > size) throw new OutOfRangeError('offset', `<= ${size}`, start);
  validateLength(length, Math.min(size - start, IO_MAX_LENGTH));
  return { buffer: view, bytes: bytesOf(view, start, length), position: at, options };
}

/** FileHandle.write's buffer forms: (buffer, offset?, length?, position?) and (buffer, { offset, length, position }). */
export function writeArgs<B extends ArrayBufferView>(
  view: B,
  b: unknown,
  c: unknown,
  d: unknown,
): Span<B> {
  let offset = b;
  let length = c;
  let position = d;
  let options: RequestOptions | undefined;
  // (node 20 also takes a null offset for an empty options object, dropping length and
  // position; here null is the documented default offset, 0.)
  if (offset !== null && typeof offset === 'object') {
    const o = offset as Record<string, unknown>;
    ({ offset, length, position } = o);
    options = requestOptions(o);
  }
  const size = viewByteLength(view);
  const start = parseOffset(offset);
  const at = parsePosition(position);
  if (start > size) throw new OutOfRangeError('offset', `<= ${size}`, start);
  if (length === undefined || length === null) length = size - start;
  validateLength(length, Math.min(size - start, IO_MAX_LENGTH));
  return { buffer: view, bytes: bytesOf(view, start, length), position: at, options };
}

/** FileHandle.write's string form: (string, position?, encoding = 'utf8'). */
export function writeStringArgs(data: string, position: unknown, encoding: unknown): Span<string> {
  const at = parsePosition(position);
  // As node's binding: an encoding it does not know is utf8; hex must have whole bytes.
  const enc = typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8';
  if (enc.toLowerCase() === 'hex' && data.length % 2 !== 0)
    throw new InvalidArgValueError(
      'encoding',
      encoding,
      `is invalid for data of length ${data.length}`,
    );
  const bytes = Buffer.from(data, enc);
  return { buffer: data, bytes: bytesOf(bytes), position: at, options: undefined };
}

/** The buffers of readv / writev, checked through the intrinsics; a copy of the array. */
export function vectorArgs(buffers: unknown): ArrayBufferView[] {
  if (!isArray(buffers))
    throw new InvalidArgTypeError('buffers', 'an array of Buffer, TypedArray or DataView', buffers);
  const list = slice(buffers);
  for (let i = 0; i < list.length; i++) {
    if (!isView(list[i])) throw new InvalidArgTypeError(`buffers[${i}]`, VIEW, list[i]);
  }
  return list as ArrayBufferView[];
}
