// Argument errors with Node's codes (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE,
// ERR_OUT_OF_RANGE), thrown before anything reaches the kernel. Exported so that @aio/core
// and user code check inputs the same way.
import { inspect } from 'node:util';

function received(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${value}`;
  if (typeof value === 'function') return ` Received function ${value.name || '<anonymous>'}`;
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name ? ` Received an instance of ${name}` : ` Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  return inspect(value, { depth: 0, breakLength: Number.POSITIVE_INFINITY });
}

/** `ERR_INVALID_ARG_TYPE`: the argument has the wrong type. */
export class InvalidArgTypeError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_TYPE' as const;
  constructor(name: string, expected: string, value: unknown) {
    super(`The "${name}" argument must be ${expected}.${received(value)}`);
    this.name = 'TypeError';
  }
}

/** `ERR_INVALID_ARG_VALUE`: the type is right but the value is not acceptable. */
export class InvalidArgValueError extends TypeError {
  readonly code = 'ERR_INVALID_ARG_VALUE' as const;
  constructor(name: string, value: unknown, reason: string) {
    super(`The argument '${name}' ${reason}. Received ${formatValue(value)}`);
    this.name = 'TypeError';
  }
}

/** `ERR_OUT_OF_RANGE`: a number outside the range the kernel can take. */
export class OutOfRangeError extends RangeError {
  readonly code = 'ERR_OUT_OF_RANGE' as const;
  constructor(name: string, range: string, value: unknown) {
    super(
      `The value of "${name}" is out of range. It must be ${range}. Received ${formatValue(value)}`,
    );
    this.name = 'RangeError';
  }
}

/** The codes of the argument errors above. */
export type ArgumentErrorCode =
  | 'ERR_INVALID_ARG_TYPE'
  | 'ERR_INVALID_ARG_VALUE'
  | 'ERR_OUT_OF_RANGE';

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
  if (!Number.isInteger(value) || value < min || value > max) {
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
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new OutOfRangeError(name, 'a non-negative safe integer or a bigint', value);
    }
    return BigInt(value);
  }
  throw new InvalidArgTypeError(name, 'of type number or bigint', value);
}

/** True when `buffer` was detached (transferred); Node 20 has no `ArrayBuffer#detached`. */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (
    buffer.byteLength !== 0 ||
    (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer)
  ) {
    return false;
  }
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * Asserts `value` is an ArrayBufferView the kernel may read or write: not detached and not
 * backed by a resizable ArrayBuffer (which can shrink under an in-flight request).
 * SharedArrayBuffer-backed views are accepted: their memory is stable while referenced.
 * @throws {InvalidArgTypeError} when not an ArrayBufferView; {@link InvalidArgValueError} when
 * detached or resizable.
 */
export function validateView(value: unknown, name: string): asserts value is ArrayBufferView {
  if (!ArrayBuffer.isView(value)) {
    throw new InvalidArgTypeError(name, 'an instance of Buffer, TypedArray, or DataView', value);
  }
  if (value.byteLength === 0 && isDetached(value.buffer)) {
    throw new InvalidArgValueError(name, value, 'is backed by a detached ArrayBuffer');
  }
  if ((value.buffer as { resizable?: boolean }).resizable === true) {
    throw new InvalidArgValueError(
      name,
      value,
      'is backed by a resizable ArrayBuffer, which could shrink while the kernel uses it',
    );
  }
}

/**
 * Asserts `value` is an ArrayBufferView of at least `minBytes` bytes (a struct the kernel will
 * read or write in full).
 */
export function validateStructBuffer(
  value: unknown,
  name: string,
  minBytes: number,
): asserts value is ArrayBufferView {
  validateView(value, name);
  if (value.byteLength < minBytes) {
    throw new OutOfRangeError(`${name}.byteLength`, `>= ${minBytes}`, value.byteLength);
  }
}

/** Asserts `value` is a bigint aio_context_t (non-zero, within 64 bits). */
export function validateContext(value: unknown, name = 'ctx'): asserts value is bigint {
  if (typeof value !== 'bigint') {
    throw new InvalidArgTypeError(name, 'of type bigint (an aio_context_t from io_setup)', value);
  }
  if (value <= 0n || value > U64_MAX)
    throw new OutOfRangeError(name, '> 0n and < 2n ** 64n', value);
}
