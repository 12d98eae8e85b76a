// A table of iocbs in one allocation, with the pointer array io_submit wants already filled:
// the allocation-free submission path. prepare() writes a whole iocb with typed-array stores
// and checks nothing; encodeIocb() is the checked way to fill one.
import { IOCB_LAYOUT, SIZEOF_IOCB } from './abi.js';
import { IOCB_FLAG } from './constants.js';
import { koffiAddress } from './ffi.js';
import {
  ArrayBufferCtor,
  BigIntCtor,
  BigUint64ArrayCtor,
  Int16ArrayCtor,
  isSharedArrayBuffer,
  SafeWeakMap,
  Uint8ArrayCtor,
  Uint16ArrayCtor,
  Uint32ArrayCtor,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
} from './intrinsics.js';
import { validateInteger } from './validate.js';

const TWO_32 = 4294967296;

// Base address of each ArrayBuffer the table has seen (koffi.address costs ~90 ns and a
// BigInt; a WeakMap lookup ~35 ns). A live, non-resizable buffer's memory never moves; a
// detached one's views report 0 bytes, and prepareView() then writes address 0. The key and
// the offset come from the intrinsics, never from the view's own (overridable) properties: a
// lying byteOffset would otherwise poison the cache for every later view of that buffer.
const bases = new SafeWeakMap<ArrayBufferLike, number>();

/** The address of byte 0 of `buffer` (exact below 2^53, which user space addresses are here). */
export function baseAddress(buffer: ArrayBufferLike): number {
  let base = bases.get(buffer);
  if (base === undefined) {
    const whole = isSharedArrayBuffer(buffer) ? new Uint8ArrayCtor(buffer) : buffer;
    base = Number(koffiAddress(whole));
    bases.set(buffer, base);
  }
  return base;
}
const LITTLE = IOCB_LAYOUT.endianness === 'LE';
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;
// Word (u32) indexes inside one iocb.
const W_DATA = IOCB_LAYOUT.aio_data / 4;
const W_KEY = IOCB_LAYOUT.aio_key / 4;
const W_RW_FLAGS = IOCB_LAYOUT.aio_rw_flags / 4;
const H_OPCODE = IOCB_LAYOUT.aio_lio_opcode / 2;
const H_REQPRIO = IOCB_LAYOUT.aio_reqprio / 2;
const W_FILDES = IOCB_LAYOUT.aio_fildes / 4;
const W_BUF = IOCB_LAYOUT.aio_buf / 4;
const W_NBYTES = IOCB_LAYOUT.aio_nbytes / 4;
const W_OFFSET = IOCB_LAYOUT.aio_offset / 4;
const W_RESERVED2 = IOCB_LAYOUT.aio_reserved2 / 4;
const W_FLAGS = IOCB_LAYOUT.aio_flags / 4;
const W_RESFD = IOCB_LAYOUT.aio_resfd / 4;

/**
 * `length` iocbs in one 8-byte-aligned allocation. `addresses[i]` is the address of iocb `i`,
 * so `io_submit(ctx, table.addresses.subarray(first, first + n))` submits a run of them, and
 * any BigUint64Array filled from `addresses` submits an arbitrary set.
 *
 * Keep the table referenced while any of its iocbs is in flight: the kernel reads an iocb at
 * submit time only, but the completion's `obj` points into this memory.
 */
export class IocbArray {
  /** Number of iocbs. */
  readonly length: number;
  /** All iocbs, `length * 64` bytes. */
  readonly bytes: Uint8Array;
  /** The address of each iocb, ready for io_submit. */
  readonly addresses: BigUint64Array;
  readonly #u32: Uint32Array;
  readonly #u16: Uint16Array;
  readonly #i16: Int16Array;
  readonly #u64: BigUint64Array;
  readonly #buffer: ArrayBuffer;

  /** @throws {RangeError} `ERR_OUT_OF_RANGE` unless 1 <= length <= 2^20. */
  constructor(length: number) {
    validateInteger(length, 'length', 1, 1 << 20);
    const buffer = new ArrayBufferCtor(length * SIZEOF_IOCB);
    this.#buffer = buffer;
    this.length = length;
    this.bytes = new Uint8ArrayCtor(buffer);
    this.#u32 = new Uint32ArrayCtor(buffer);
    this.#u16 = new Uint16ArrayCtor(buffer);
    this.#i16 = new Int16ArrayCtor(buffer);
    this.#u64 = new BigUint64ArrayCtor(buffer);
    this.addresses = new BigUint64ArrayCtor(length);
    const base = koffiAddress(buffer);
    for (let i = 0; i < length; i++) this.addresses[i] = base + BigIntCtor(i * SIZEOF_IOCB);
  }

  /** Iocb `i` as a 64-byte view (for encodeIocb, decodeIocb or io_cancel). */
  at(i: number): Uint8Array {
    validateInteger(i, 'index', 0, this.length - 1);
    return new Uint8ArrayCtor(this.#buffer, i * SIZEOF_IOCB, SIZEOF_IOCB);
  }

  /**
   * Rewrites iocb `i` completely: the fields given, 0 for aio_key, aio_rw_flags, aio_reqprio,
   * aio_reserved2, aio_flags and aio_resfd. Unchecked: numbers must be non-negative integers
   * below 2^53 (`nbytes`, `offset`, `data`) or 2^32 (`fd`), `buf` an address or POLL mask.
   */
  prepare(
    i: number,
    opcode: number,
    fd: number,
    buf: bigint,
    nbytes: number,
    offset: number,
    data: number,
  ): void {
    const u32 = this.#u32;
    const w = i << 4;
    u32[w + W_DATA + LO] = data >>> 0;
    u32[w + W_DATA + HI] = (data / TWO_32) >>> 0;
    u32[w + W_KEY] = 0;
    u32[w + W_RW_FLAGS] = 0;
    const h = i << 5;
    this.#u16[h + H_OPCODE] = opcode;
    this.#i16[h + H_REQPRIO] = 0;
    u32[w + W_FILDES] = fd;
    this.#u64[(i << 3) + W_BUF / 2] = buf;
    u32[w + W_NBYTES + LO] = nbytes >>> 0;
    u32[w + W_NBYTES + HI] = (nbytes / TWO_32) >>> 0;
    u32[w + W_OFFSET + LO] = offset >>> 0;
    u32[w + W_OFFSET + HI] = (offset / TWO_32) >>> 0;
    u32[w + W_RESERVED2] = 0;
    u32[w + W_RESERVED2 + 1] = 0;
    u32[w + W_FLAGS] = 0;
    u32[w + W_RESFD] = 0;
  }

  /**
   * prepare() for a read or write of the whole of `view`: aio_buf is its address and
   * aio_nbytes its byteLength, so the length always fits the buffer (a detached view reports
   * 0 bytes and gets address 0). Unchecked like prepare(): `view` must be an ArrayBufferView.
   * Buffer addresses are cached per ArrayBuffer, so this costs no koffi call after the first.
   */
  prepareView(
    i: number,
    opcode: number,
    fd: number,
    view: ArrayBufferView,
    offset: number,
    data: number,
  ): void {
    const nbytes = viewByteLength(view);
    if (nbytes === 0) {
      this.prepare(i, opcode, fd, 0n, 0, offset, data);
      return;
    }
    this.prepareMemory(i, opcode, fd, viewBuffer(view), viewByteOffset(view), nbytes, offset, data);
  }

  /**
   * prepare() for `nbytes` of `buffer` from `byteOffset`. Unchecked like prepare(): the caller
   * guarantees that `byteOffset + nbytes` fits the buffer as it is now (read its length through
   * the intrinsics) and keeps the buffer referenced until the completion is reaped.
   */
  prepareMemory(
    i: number,
    opcode: number,
    fd: number,
    buffer: ArrayBufferLike,
    byteOffset: number,
    nbytes: number,
    offset: number,
    data: number,
  ): void {
    this.prepare(i, opcode, fd, 0n, nbytes, offset, data);
    const address = baseAddress(buffer) + byteOffset;
    // Above 2^53 (5-level page tables can map there): the exact BigInt.
    if (address > Number.MAX_SAFE_INTEGER) {
      const base = koffiAddress(isSharedArrayBuffer(buffer) ? new Uint8ArrayCtor(buffer) : buffer);
      this.#u64[(i << 3) + W_BUF / 2] = base + BigIntCtor(byteOffset);
      return;
    }
    const w = (i << 4) + W_BUF;
    this.#u32[w + LO] = address >>> 0;
    this.#u32[w + HI] = (address / TWO_32) >>> 0;
  }

  /** Sets `aio_rw_flags` of iocb `i`. */
  setRwFlags(i: number, rwFlags: number): void {
    this.#u32[(i << 4) + W_RW_FLAGS] = rwFlags;
  }

  /** Sets `aio_reqprio` of iocb `i` and the IOCB_FLAG_IOPRIO bit. */
  setPriority(i: number, ioprio: number): void {
    this.#i16[(i << 5) + H_REQPRIO] = ioprio;
    this.#u32[(i << 4) + W_FLAGS]! |= IOCB_FLAG.IOPRIO;
  }

  /** Makes iocb `i` signal eventfd `fd` on completion (IOCB_FLAG_RESFD). */
  setResfd(i: number, fd: number): void {
    this.#u32[(i << 4) + W_RESFD] = fd;
    this.#u32[(i << 4) + W_FLAGS]! |= IOCB_FLAG.RESFD;
  }

  /** Sets `aio_offset` of iocb `i` from a bigint (for offsets at or above 2^53). */
  setOffset(i: number, offset: bigint): void {
    this.#u64[(i << 3) + W_OFFSET / 2] = BigInt.asUintN(64, offset);
  }
}
