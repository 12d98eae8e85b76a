// The engine's own copies of the accessors it reads a caller's memory through, captured when
// the module loads (as Node core's primordials are). A view's `byteLength`, `byteOffset` and
// `buffer` are ordinary properties to JavaScript: `Object.defineProperty(view, 'byteLength',
// ...)`, a subclass getter or a patched prototype can make a 16-byte view claim a megabyte,
// and a length taken from such a property once let the kernel overwrite the heap. The
// accessors below read the internal slots instead, and never run caller code.
import { types } from 'node:util';

// Calls `fn` with `self` as `this` through the original Function.prototype.call, so later
// patching of `call`, `bind` or the prototypes does not reach these.
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call) as <
  A extends unknown[],
  R,
>(
  fn: (this: unknown, ...args: A) => R,
) => (self: unknown, ...args: A) => R;

function getter<T>(proto: object, name: PropertyKey): (self: unknown) => T {
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  if (descriptor?.get === undefined) throw new Error(`intrinsic getter ${String(name)} missing`);
  return uncurryThis(descriptor.get as (this: unknown) => T);
}

const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayTag = getter<string | undefined>(TypedArrayPrototype, Symbol.toStringTag);
const typedArrayBuffer = getter<ArrayBufferLike>(TypedArrayPrototype, 'buffer');
const typedArrayByteOffset = getter<number>(TypedArrayPrototype, 'byteOffset');
const typedArrayByteLength = getter<number>(TypedArrayPrototype, 'byteLength');
const dataViewBuffer = getter<ArrayBufferLike>(DataView.prototype, 'buffer');
const dataViewByteOffset = getter<number>(DataView.prototype, 'byteOffset');
const dataViewByteLength = getter<number>(DataView.prototype, 'byteLength');
const arrayBufferByteLength = getter<number>(ArrayBuffer.prototype, 'byteLength');
const arrayBufferResizable = getter<boolean>(ArrayBuffer.prototype, 'resizable');
const sharedByteLength = getter<number>(SharedArrayBuffer.prototype, 'byteLength');
const { isDataView: nativeIsDataView, isSharedArrayBuffer, isArrayBuffer } = types;
const isArray = Array.isArray;
const Uint8ArrayCtor = Uint8Array;

/** True for a genuine TypedArray (a Proxy or a look-alike is not one). */
export function isTypedArray(value: unknown): value is NodeJS.TypedArray {
  return typedArrayTag(value) !== undefined;
}

/** True for a genuine TypedArray or DataView (what the kernel may be given memory of). */
export function isView(value: unknown): value is ArrayBufferView {
  return typedArrayTag(value) !== undefined || nativeIsDataView(value);
}

/** The ArrayBuffer or SharedArrayBuffer behind a genuine view (see isView). */
export function viewBuffer(view: ArrayBufferView): ArrayBufferLike {
  return typedArrayTag(view) !== undefined ? typedArrayBuffer(view) : dataViewBuffer(view);
}

/** The view's true byte offset into its buffer. */
export function viewByteOffset(view: ArrayBufferView): number {
  return typedArrayTag(view) !== undefined ? typedArrayByteOffset(view) : dataViewByteOffset(view);
}

/**
 * The view's true byte length: 0 once its buffer was detached (or shrank below the view),
 * the current length for a length-tracking view of a growable SharedArrayBuffer.
 */
export function viewByteLength(view: ArrayBufferView): number {
  return typedArrayTag(view) !== undefined ? typedArrayByteLength(view) : dataViewByteLength(view);
}

/** The true byte length of an ArrayBuffer or SharedArrayBuffer (0 once detached). */
export function bufferByteLength(buffer: ArrayBufferLike): number {
  return isSharedArrayBuffer(buffer) ? sharedByteLength(buffer) : arrayBufferByteLength(buffer);
}

/**
 * True for a resizable ArrayBuffer, whose memory can shrink while the kernel uses it. A
 * growable SharedArrayBuffer only ever grows in place, so it is not one.
 */
export function isResizable(buffer: ArrayBufferLike): boolean {
  return !isSharedArrayBuffer(buffer) && arrayBufferResizable(buffer);
}

/** True when an ArrayBuffer was detached (transferred); Node 20 has no `ArrayBuffer#detached`. */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (isSharedArrayBuffer(buffer) || arrayBufferByteLength(buffer) !== 0) return false;
  try {
    new Uint8ArrayCtor(buffer);
    return false;
  } catch {
    return true;
  }
}

export { isArray, isArrayBuffer, isSharedArrayBuffer };
