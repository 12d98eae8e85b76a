// Addresses of JavaScript memory, and struct iovec arrays built from them.
//
// An address does not keep its memory alive: the garbage collector may free a buffer that is
// reachable only through an address the kernel still holds. Whoever passes an address to the
// kernel must keep the buffer itself referenced until the request completes.
import { type AbiTarget, iovecLayout, NATIVE_ABI } from './abi.js';
import { IOV_MAX } from './constants.js';
import { koffi } from './ffi.js';
import {
  InvalidArgTypeError,
  InvalidArgValueError,
  isDetached,
  OutOfRangeError,
  validateView,
} from './validate.js';

/**
 * The address of the first byte of `view` (its byteOffset included) or of an ArrayBuffer or
 * SharedArrayBuffer. Node never moves a backing store, so the address stays valid for as long
 * as the memory is referenced from JavaScript; it does NOT keep the memory referenced.
 *
 * A zero-length view may report `0n`.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for anything else; `ERR_INVALID_ARG_VALUE` for
 * detached memory.
 */
export function addressOf(view: ArrayBufferView | ArrayBufferLike): bigint {
  if (ArrayBuffer.isView(view)) {
    validateView(view, 'view');
    return koffi.address(view);
  }
  if (view instanceof ArrayBuffer) {
    if (isDetached(view)) throw new InvalidArgValueError('view', view, 'is a detached ArrayBuffer');
    return koffi.address(view);
  }
  if (typeof SharedArrayBuffer === 'function' && view instanceof SharedArrayBuffer) {
    return koffi.address(new Uint8Array(view));
  }
  throw new InvalidArgTypeError(
    'view',
    'an instance of ArrayBuffer, SharedArrayBuffer, Buffer, TypedArray, or DataView',
    view,
  );
}

/**
 * Builds the `struct iovec` array for `buffers` (one `{ iov_base, iov_len }` per buffer) for
 * the iocb of a PREADV/PWRITEV: `aio_buf = addressOf(result)`, `aio_nbytes = buffers.length`.
 * Neither the result nor `buffers` is kept alive by the addresses inside it.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `buffers` is not an array of views;
 * {@link OutOfRangeError} `ERR_OUT_OF_RANGE` for more than IOV_MAX (1024) buffers.
 */
export function encodeIovecs(
  buffers: readonly ArrayBufferView[],
  target: AbiTarget = NATIVE_ABI,
): Uint8Array {
  if (!Array.isArray(buffers)) {
    throw new InvalidArgTypeError('buffers', 'an array of ArrayBufferViews', buffers);
  }
  if (buffers.length > IOV_MAX) {
    throw new OutOfRangeError('buffers.length', `<= ${IOV_MAX} (IOV_MAX)`, buffers.length);
  }
  const layout = iovecLayout(target);
  const le = target.endianness === 'LE';
  const bytes = new Uint8Array(buffers.length * layout.size);
  const dv = new DataView(bytes.buffer);
  buffers.forEach((buffer, i) => {
    validateView(buffer, `buffers[${i}]`);
    const at = i * layout.size;
    if (layout.size === 16) {
      dv.setBigUint64(at + layout.iov_base, addressOf(buffer), le);
      dv.setBigUint64(at + layout.iov_len, BigInt(buffer.byteLength), le);
    } else {
      dv.setUint32(at + layout.iov_base, Number(addressOf(buffer)), le);
      dv.setUint32(at + layout.iov_len, buffer.byteLength, le);
    }
  });
  return bytes;
}
