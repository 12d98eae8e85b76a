// Addresses of JavaScript memory, and struct iovec arrays built from them.
//
// An address does not keep its memory alive: the garbage collector may free a buffer that is
// reachable only through an address the kernel still holds. Whoever passes an address to the
// kernel must keep the buffer itself referenced until the request completes.
import { type AbiTarget, iovecLayout, NATIVE_ABI } from './abi.js';
import { InvalidArgTypeError, InvalidArgValueError, OutOfRangeError } from './arg-errors.js';
import { IOV_MAX } from './constants.js';
import { koffiAddress } from './ffi.js';
import {
  ArrayBufferCtor,
  BigIntCtor,
  DataViewCtor,
  dvSetBigUint64,
  dvSetUint32,
  isArray,
  isArrayBuffer,
  isDetached,
  isSharedArrayBuffer,
  isView,
  numberIsSafeInteger,
  Uint8ArrayCtor,
  viewByteLength,
} from './intrinsics.js';
import { validateView } from './validate.js';

/**
 * The address of the first byte of `view` (its byteOffset included) or of an ArrayBuffer or
 * SharedArrayBuffer. Node never moves a backing store, so the address stays valid for as long
 * as the memory is referenced from JavaScript; it does NOT keep the memory referenced. The
 * address comes from the view's internal slots: overriding its `byteOffset` or `buffer`
 * changes nothing.
 *
 * A zero-length view may report `0n`.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for anything else (a Proxy of a view too);
 * `ERR_INVALID_ARG_VALUE` for detached memory or a view of a resizable ArrayBuffer.
 */
export function addressOf(view: ArrayBufferView | ArrayBufferLike): bigint {
  if (isView(view)) {
    validateView(view, 'view');
    return koffiAddress(view);
  }
  if (isArrayBuffer(view)) {
    if (isDetached(view)) throw new InvalidArgValueError('view', view, 'is a detached ArrayBuffer');
    return koffiAddress(view);
  }
  if (isSharedArrayBuffer(view)) return koffiAddress(new Uint8ArrayCtor(view));
  throw new InvalidArgTypeError(
    'view',
    'an instance of ArrayBuffer, SharedArrayBuffer, Buffer, TypedArray, or DataView',
    view,
  );
}

/**
 * The elements of `buffers`, each read exactly once: a getter on an index or a Proxy of an
 * array runs here, before anything is validated, and cannot hand over a different view later.
 */
function snapshot(buffers: unknown): unknown[] {
  if (!isArray(buffers)) {
    throw new InvalidArgTypeError('buffers', 'an array of ArrayBufferViews', buffers);
  }
  const length: unknown = (buffers as unknown[]).length;
  if (
    typeof length !== 'number' ||
    !numberIsSafeInteger(length) ||
    length < 0 ||
    length > IOV_MAX
  ) {
    throw new OutOfRangeError('buffers.length', `<= ${IOV_MAX} (IOV_MAX)`, length);
  }
  const out: unknown[] = [];
  for (let i = 0; i < length; i++) out[i] = (buffers as unknown[])[i];
  return out;
}

/**
 * Builds the `struct iovec` array for `buffers` (one `{ iov_base, iov_len }` per buffer) for
 * the iocb of a PREADV/PWRITEV: `aio_buf = addressOf(result)`, `aio_nbytes = buffers.length`.
 * Each iov_len is the view's true byte length. Neither the result nor `buffers` is kept
 * alive by the addresses inside it.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `buffers` is not an array of views;
 * {@link OutOfRangeError} `ERR_OUT_OF_RANGE` for more than IOV_MAX (1024) buffers.
 */
export function encodeIovecs(
  buffers: readonly ArrayBufferView[],
  target: AbiTarget = NATIVE_ABI,
): Uint8Array {
  const views = snapshot(buffers);
  for (let i = 0; i < views.length; i++) validateView(views[i], `buffers[${i}]`);
  const layout = iovecLayout(target);
  const le = target.endianness === 'LE';
  const memory = new ArrayBufferCtor(views.length * layout.size);
  const dv = new DataViewCtor(memory);
  for (let i = 0; i < views.length; i++) {
    const view = views[i] as ArrayBufferView;
    const at = i * layout.size;
    if (layout.size === 16) {
      dvSetBigUint64(dv, at + layout.iov_base, koffiAddress(view), le);
      dvSetBigUint64(dv, at + layout.iov_len, BigIntCtor(viewByteLength(view)), le);
    } else {
      dvSetUint32(dv, at + layout.iov_base, Number(koffiAddress(view)), le);
      dvSetUint32(dv, at + layout.iov_len, viewByteLength(view), le);
    }
  }
  return new Uint8ArrayCtor(memory);
}
