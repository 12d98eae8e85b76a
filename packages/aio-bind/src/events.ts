// struct io_event reading: one decoder for occasional use, and IoEventArray for hot loops
// (koffi.decode of an event array costs microseconds; typed-array reads cost nanoseconds).
import { NATIVE_ABI, SIZEOF_IO_EVENT } from './abi.js';
import { OutOfRangeError } from './arg-errors.js';
import {
  ArrayBufferCtor,
  DataViewCtor,
  dvGetBigInt64,
  dvGetBigUint64,
  Int32ArrayCtor,
  Uint8ArrayCtor,
  Uint32ArrayCtor,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
} from './intrinsics.js';
import { validateInteger, validateView } from './validate.js';

/** A decoded `struct io_event`. */
export interface IoEvent {
  /** The iocb's `aio_data`, returned untouched. */
  data: bigint;
  /** The user-space address of the iocb this event completes. */
  obj: bigint;
  /** Bytes transferred (or revents for POLL); a negative errno on failure. */
  res: number;
  /** Secondary result; 0 for every command on current kernels. */
  res2: number;
}

const TWO_32 = 4294967296;
const LITTLE = NATIVE_ABI.endianness === 'LE';
// Indexes of the low and high 32-bit words of a 64-bit field in native order.
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

/**
 * Decodes the `index`-th `struct io_event` of `src` (an io_getevents / reapRing buffer).
 * `res` and `res2` are signed and exact (they fit in 53 bits). `src` is located by its
 * internal slots: its own `byteLength`, `byteOffset` and `buffer` properties are not read.
 * @throws {RangeError} `ERR_OUT_OF_RANGE` when `src` holds no event at `index`.
 */
export function decodeIoEvent(src: ArrayBufferView, index = 0): IoEvent {
  validateView(src, 'src');
  validateInteger(index, 'index', 0, Number.MAX_SAFE_INTEGER);
  const at = index * SIZEOF_IO_EVENT;
  const length = viewByteLength(src);
  if (at + SIZEOF_IO_EVENT > length) {
    throw new OutOfRangeError('index', `< ${Math.floor(length / SIZEOF_IO_EVENT)}`, index);
  }
  const dv = new DataViewCtor(viewBuffer(src), viewByteOffset(src) + at, SIZEOF_IO_EVENT);
  return {
    data: dvGetBigUint64(dv, 0, LITTLE),
    obj: dvGetBigUint64(dv, 8, LITTLE),
    res: Number(dvGetBigInt64(dv, 16, LITTLE)),
    res2: Number(dvGetBigInt64(dv, 24, LITTLE)),
  };
}

/**
 * A reusable, aligned buffer of `length` io_events with allocation-free accessors: give
 * `bytes` to io_getevents or reapRing, then read each event's fields by index.
 */
export class IoEventArray {
  /** How many events fit. */
  readonly length: number;
  /** The raw events, `length * 32` bytes. */
  readonly bytes: Uint8Array;
  readonly #u32: Uint32Array;
  readonly #i32: Int32Array;

  /** @throws {RangeError} `ERR_OUT_OF_RANGE` unless 1 <= length <= 2^24. */
  constructor(length: number) {
    validateInteger(length, 'length', 1, 1 << 24);
    const buffer = new ArrayBufferCtor(length * SIZEOF_IO_EVENT);
    this.length = length;
    this.bytes = new Uint8ArrayCtor(buffer);
    this.#u32 = new Uint32ArrayCtor(buffer);
    this.#i32 = new Int32ArrayCtor(buffer);
  }

  /** `data` of event `i` as a number: exact when the iocb's aio_data was below 2^53. */
  dataNumber(i: number): number {
    const w = i << 3;
    return this.#u32[w + HI]! * TWO_32 + this.#u32[w + LO]!;
  }

  /** `data` of event `i`. */
  data(i: number): bigint {
    const w = i << 3;
    return (BigInt(this.#u32[w + HI]!) << 32n) | BigInt(this.#u32[w + LO]!);
  }

  /** `obj` (the iocb address) of event `i`. */
  obj(i: number): bigint {
    const w = (i << 3) + 2;
    return (BigInt(this.#u32[w + HI]!) << 32n) | BigInt(this.#u32[w + LO]!);
  }

  /** `res` of event `i`: bytes or revents, or a negative errno. */
  res(i: number): number {
    const w = (i << 3) + 4;
    return this.#i32[w + HI]! * TWO_32 + this.#u32[w + LO]!;
  }

  /** `res2` of event `i`. */
  res2(i: number): number {
    const w = (i << 3) + 6;
    return this.#i32[w + HI]! * TWO_32 + this.#u32[w + LO]!;
  }

  /** Event `i`, decoded into a fresh object. */
  at(i: number): IoEvent {
    return decodeIoEvent(this.bytes, i);
  }
}
