// struct iocb to and from bytes, checked field by field, for any ABI layout.
import { IOCB_LAYOUT, type IocbLayout, iocbLayout, SIZEOF_IOCB } from './abi.js';
import { InvalidArgTypeError, InvalidArgValueError, OutOfRangeError } from './arg-errors.js';
import {
  DataViewCtor,
  dvGetBigInt64,
  dvGetBigUint64,
  dvGetInt16,
  dvGetInt32,
  dvGetUint16,
  dvGetUint32,
  dvSetBigInt64,
  dvSetBigUint64,
  dvSetUint16,
  dvSetUint32,
  isArray,
  numberIsSafeInteger,
  viewBuffer,
  viewByteOffset,
} from './intrinsics.js';
import { S64_MAX, toU64, validateInteger, validateStructBuffer } from './validate.js';

/** The fields of `struct iocb`, named as in the kernel header; 64-bit fields are bigints. */
export interface IocbFields {
  /** Returned untouched in the completion's `data`. */
  aio_data: bigint;
  /** Written by the kernel (KIOCB_KEY, 0); user space leaves it 0. */
  aio_key: number;
  /** `RWF_*` flags for this request. */
  aio_rw_flags: number;
  /** One of `IOCB_CMD`. */
  aio_lio_opcode: number;
  /** I/O priority (`ioprioValue()`), used with `IOCB_FLAG.IOPRIO`. */
  aio_reqprio: number;
  /** The file descriptor. */
  aio_fildes: number;
  /** Buffer address (PREAD/PWRITE), iovec array address (PREADV/PWRITEV) or POLL event mask. */
  aio_buf: bigint;
  /** Byte count (PREAD/PWRITE) or iovec count (PREADV/PWRITEV). */
  aio_nbytes: bigint;
  /** File offset. */
  aio_offset: bigint;
  /** Must be 0: the kernel answers EINVAL otherwise. */
  aio_reserved2: bigint;
  /** `IOCB_FLAG_*` bits. */
  aio_flags: number;
  /** The eventfd signalled on completion when `IOCB_FLAG.RESFD` is set. */
  aio_resfd: number;
}

/** What {@link encodeIocb} accepts: any subset of the fields (the rest are 0); numbers or bigints for 64-bit fields. */
export type IocbInit = {
  [K in keyof IocbFields]?: IocbFields[K] extends bigint ? bigint | number : number;
};

const U32 = 0xffff_ffff;
const FIELD_NAMES = new Set<string>([
  'aio_data',
  'aio_key',
  'aio_rw_flags',
  'aio_lio_opcode',
  'aio_reqprio',
  'aio_fildes',
  'aio_buf',
  'aio_nbytes',
  'aio_offset',
  'aio_reserved2',
  'aio_flags',
  'aio_resfd',
]);

// The first 64 bytes of a validated view, located by its internal slots (never by its own
// `buffer` / `byteOffset` properties, which a caller can redefine).
function viewOf(bytes: ArrayBufferView): DataView {
  return new DataViewCtor(viewBuffer(bytes), viewByteOffset(bytes), SIZEOF_IOCB);
}

// Every offset of an iocb layout follows from its byte order and word size (abi.ts), so a
// layout is rebuilt from those two facts: a hand-made object with other offsets could
// otherwise steer a write outside the 64 bytes.
function layoutOf(layout: unknown): IocbLayout {
  if (layout === IOCB_LAYOUT) return IOCB_LAYOUT;
  if (typeof layout !== 'object' || layout === null) {
    throw new InvalidArgTypeError('layout', 'an IocbLayout from iocbLayout()', layout);
  }
  const { endianness, wordBits } = layout as IocbLayout;
  if ((endianness !== 'LE' && endianness !== 'BE') || (wordBits !== 32 && wordBits !== 64)) {
    throw new InvalidArgValueError('layout', layout, 'must come from iocbLayout()');
  }
  return iocbLayout({ endianness, wordBits });
}

function toS64(value: unknown, name: string): bigint {
  if (typeof value === 'number' && numberIsSafeInteger(value)) return BigInt(value);
  if (typeof value === 'bigint' && value >= -S64_MAX - 1n && value <= S64_MAX) return value;
  if (typeof value === 'number' || typeof value === 'bigint') {
    throw new OutOfRangeError(name, 'a safe integer or a bigint within __s64', value);
  }
  throw new InvalidArgTypeError(name, 'of type number or bigint', value);
}

/**
 * Writes a complete `struct iocb` (64 bytes) at the start of `target`: the fields given,
 * 0 for the others. Every field is range-checked for its C type before a byte is written.
 *
 * @param layout the ABI to encode for (default: this machine's).
 * @returns `target`.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` (unknown field name);
 * {@link OutOfRangeError} `ERR_OUT_OF_RANGE` for a value its field cannot hold or a target
 * shorter than 64 bytes (by its true length: an overridden `byteLength` is not consulted);
 * `ERR_INVALID_ARG_VALUE` for a layout not made by iocbLayout().
 *
 * @example
 * const iocb = encodeIocb(new Uint8Array(SIZEOF_IOCB), {
 *   aio_lio_opcode: IOCB_CMD.PREAD, aio_fildes: fd,
 *   aio_buf: addressOf(buf), aio_nbytes: buf.length, aio_offset: 0,
 * });
 */
export function encodeIocb<T extends ArrayBufferView>(
  target: T,
  fields: IocbInit,
  layout: IocbLayout = IOCB_LAYOUT,
): T {
  validateStructBuffer(target, 'target', SIZEOF_IOCB);
  const l = layoutOf(layout);
  if (typeof fields !== 'object' || fields === null || isArray(fields)) {
    throw new InvalidArgTypeError('fields', 'an object of iocb fields', fields);
  }
  for (const key of Object.keys(fields)) {
    if (!FIELD_NAMES.has(key))
      throw new InvalidArgValueError('fields', key, 'has an unknown iocb field');
  }
  const f = fields;
  const data = toU64(f.aio_data ?? 0, 'aio_data');
  const buf = toU64(f.aio_buf ?? 0, 'aio_buf');
  const nbytes = toU64(f.aio_nbytes ?? 0, 'aio_nbytes');
  const offset = toS64(f.aio_offset ?? 0, 'aio_offset');
  const reserved2 = toU64(f.aio_reserved2 ?? 0, 'aio_reserved2');
  const key = f.aio_key ?? 0;
  const rwFlags = f.aio_rw_flags ?? 0;
  const opcode = f.aio_lio_opcode ?? 0;
  const reqprio = f.aio_reqprio ?? 0;
  const fildes = f.aio_fildes ?? 0;
  const flags = f.aio_flags ?? 0;
  const resfd = f.aio_resfd ?? 0;
  validateInteger(key, 'aio_key', 0, U32);
  validateInteger(rwFlags, 'aio_rw_flags', -0x8000_0000, U32);
  validateInteger(opcode, 'aio_lio_opcode', 0, 0xffff);
  // __s16, but an ioprio is a bit pattern: classes 4-7 set bit 15. Take either reading.
  validateInteger(reqprio, 'aio_reqprio', -0x8000, 0xffff);
  validateInteger(fildes, 'aio_fildes', 0, U32);
  validateInteger(flags, 'aio_flags', 0, U32);
  validateInteger(resfd, 'aio_resfd', 0, U32);

  const le = l.endianness === 'LE';
  const dv = viewOf(target);
  dvSetBigUint64(dv, l.aio_data, data, le);
  dvSetUint32(dv, l.aio_key, key, le);
  dvSetUint32(dv, l.aio_rw_flags, rwFlags >>> 0, le);
  dvSetUint16(dv, l.aio_lio_opcode, opcode, le);
  dvSetUint16(dv, l.aio_reqprio, reqprio & 0xffff, le);
  dvSetUint32(dv, l.aio_fildes, fildes, le);
  dvSetBigUint64(dv, l.aio_buf, buf, le);
  dvSetBigUint64(dv, l.aio_nbytes, nbytes, le);
  dvSetBigInt64(dv, l.aio_offset, offset, le);
  dvSetBigUint64(dv, l.aio_reserved2, reserved2, le);
  dvSetUint32(dv, l.aio_flags, flags, le);
  dvSetUint32(dv, l.aio_resfd, resfd, le);
  return target;
}

/**
 * Reads the `struct iocb` at the start of `src`.
 * @throws {RangeError} `ERR_OUT_OF_RANGE` when `src` is shorter than 64 bytes;
 * {@link TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for a layout not made by
 * iocbLayout().
 */
export function decodeIocb(src: ArrayBufferView, layout: IocbLayout = IOCB_LAYOUT): IocbFields {
  validateStructBuffer(src, 'src', SIZEOF_IOCB);
  const l = layoutOf(layout);
  const le = l.endianness === 'LE';
  const dv = viewOf(src);
  return {
    aio_data: dvGetBigUint64(dv, l.aio_data, le),
    aio_key: dvGetUint32(dv, l.aio_key, le),
    aio_rw_flags: dvGetInt32(dv, l.aio_rw_flags, le),
    aio_lio_opcode: dvGetUint16(dv, l.aio_lio_opcode, le),
    aio_reqprio: dvGetInt16(dv, l.aio_reqprio, le),
    aio_fildes: dvGetUint32(dv, l.aio_fildes, le),
    aio_buf: dvGetBigUint64(dv, l.aio_buf, le),
    aio_nbytes: dvGetBigUint64(dv, l.aio_nbytes, le),
    aio_offset: dvGetBigInt64(dv, l.aio_offset, le),
    aio_reserved2: dvGetBigUint64(dv, l.aio_reserved2, le),
    aio_flags: dvGetUint32(dv, l.aio_flags, le),
    aio_resfd: dvGetUint32(dv, l.aio_resfd, le),
  };
}
