// The argument checks every function of the binding runs before anything reaches the kernel,
// throwing the errors of arg-errors.ts. @aio/core reuses them through @aio/bind/internal, so
// that both layers refuse the same inputs with the same codes; they are not public API.
import { InvalidArgTypeError, InvalidArgValueError, OutOfRangeError } from './arg-errors.js';
import {
  isDetached,
  isResizable,
  isView,
  numberIsInteger,
  numberIsSafeInteger,
  viewBuffer,
  viewByteLength,
} from './intrinsics.js';

/**
 * Asserts `value` is an integer in [min, max] (both inclusive, both safe integers).
 * @throws {InvalidArgTypeError} when not a number; {@link OutOfRangeError} otherwise.
 */
export function validateInteger(
  value: unknown,
  name: string,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number') throw new InvalidArgTypeError(name, 'of type number', value);
  if (!numberIsInteger(value) || value < min || value > max) {
    throw new OutOfRangeError(name, `an integer >= ${min} and <= ${max}`, value);
  }
}

/** The largest value a `__u64` field can hold. */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** The largest value an `__s64` field can hold. */
export const S64_MAX = 0x7fff_ffff_ffff_ffffn;

/**
 * Asserts `value` is a number or bigint integer in [0, max] and returns it as a bigint.
 * @throws {InvalidArgTypeError} when neither number nor bigint; {@link OutOfRangeError} otherwise.
 */
export function toU64(value: unknown, name: string, max: bigint = U64_MAX): bigint {
  if (typeof value === 'bigint') {
    if (value < 0n || value > max) throw new OutOfRangeError(name, `>= 0 and <= ${max}`, value);
    return value;
  }
  if (typeof value === 'number') {
    if (!numberIsSafeInteger(value) || value < 0) {
      throw new OutOfRangeError(name, 'a non-negative safe integer or a bigint', value);
    }
    return BigInt(value);
  }
  throw new InvalidArgTypeError(name, 'of type number or bigint', value);
}

/**
 * Asserts `value` is an ArrayBufferView the kernel may read or write: a genuine TypedArray or
 * DataView (a Proxy or a look-alike is not one), not detached and not backed by a resizable
 * ArrayBuffer (which can shrink under an in-flight request). Views of SharedArrayBuffers,
 * growable ones included, are accepted: their memory never moves or shrinks while referenced.
 * Everything is read through the intrinsics: the view's own `byteLength`, `buffer`... are
 * never consulted, so overriding them changes nothing.
 * @throws {InvalidArgTypeError} when not an ArrayBufferView; {@link InvalidArgValueError} when
 * detached or resizable.
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

/**
 * Asserts `value` is an ArrayBufferView of at least `minBytes` bytes (a struct the kernel will
 * read or write in full), by its true byte length.
 * @throws as {@link validateView}; {@link OutOfRangeError} when shorter than `minBytes`.
 */
export function validateStructBuffer(
  value: unknown,
  name: string,
  minBytes: number,
): asserts value is ArrayBufferView {
  validateView(value, name);
  const length = viewByteLength(value);
  if (length < minBytes) {
    throw new OutOfRangeError(`${name}.byteLength`, `>= ${minBytes}`, length);
  }
}

/** Asserts `fd` is a plausible file descriptor: an `int` that is not negative. */
export function validateFd(fd: unknown): asserts fd is number {
  validateInteger(fd, 'fd', 0, 0x7fff_ffff);
}

/** Asserts `value` is a bigint aio_context_t (non-zero, within 64 bits). */
export function validateContext(value: unknown, name = 'ctx'): asserts value is bigint {
  if (typeof value !== 'bigint') {
    throw new InvalidArgTypeError(name, 'of type bigint (an aio_context_t from io_setup)', value);
  }
  if (value <= 0n || value > U64_MAX)
    throw new OutOfRangeError(name, '> 0n and < 2n ** 64n', value);
}
