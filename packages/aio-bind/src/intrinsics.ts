// The engine's own copies of the accessors it reads a caller's memory through, captured when
// the module loads (as Node core's primordials are). A view's `byteLength`, `byteOffset`,
// `buffer` and `length` are ordinary properties to JavaScript: `Object.defineProperty(view,
// 'byteLength', ...)`, a subclass getter or a patched prototype can make a 16-byte view claim
// a megabyte, and a length taken from such a property once let the kernel overwrite the heap.
// The accessors below read the internal slots instead, and never run caller code. A Proxy of
// a view has none of those slots, so it is not a view here.
import { types } from 'node:util';
import { InvalidArgTypeError } from './arg-errors.js';

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
/** A genuine TypedArray's byte length (unchecked: a TypeError without a code for anything else). */
export const typedArrayByteLength = getter<number>(TypedArrayPrototype, 'byteLength');
const typedArrayLengthGetter = getter<number>(TypedArrayPrototype, 'length');
const dataViewBuffer = getter<ArrayBufferLike>(DataView.prototype, 'buffer');
const dataViewByteOffset = getter<number>(DataView.prototype, 'byteOffset');
const dataViewByteLength = getter<number>(DataView.prototype, 'byteLength');
const arrayBufferByteLength = getter<number>(ArrayBuffer.prototype, 'byteLength');
const arrayBufferResizable = getter<boolean>(ArrayBuffer.prototype, 'resizable');
const sharedByteLength = getter<number>(SharedArrayBuffer.prototype, 'byteLength');
const { isDataView: nativeIsDataView, isSharedArrayBuffer, isArrayBuffer } = types;
const isArray = Array.isArray;
export const Uint8ArrayCtor = Uint8Array;
export const Uint32ArrayCtor = Uint32Array;
export const Uint16ArrayCtor = Uint16Array;
export const Int16ArrayCtor = Int16Array;
export const Int32ArrayCtor = Int32Array;
export const BigUint64ArrayCtor = BigUint64Array;

/**
 * `TypedArray.prototype.set`, uncurried: copies between genuine typed arrays by their
 * internal slots (no species lookup, no getter), so ring memory is never handed to user code.
 */
export const typedArraySet = uncurryThis(
  (TypedArrayPrototype as { set: (this: unknown, src: ArrayLike<number>, at?: number) => void })
    .set,
);

/** Atomics, as they were at load: a patched `Atomics.load` would be handed the ring header. */
export const atomicsLoad = Atomics.load;
export const atomicsStore = Atomics.store;
export const atomicsCompareExchange = Atomics.compareExchange;
export const atomicsAdd = Atomics.add;
export const atomicsWait = Atomics.wait;
export const numberIsInteger = Number.isInteger;
export const BigIntCtor = BigInt;
export const DataViewCtor = DataView;
export const ArrayBufferCtor = ArrayBuffer;

type Get<T> = (view: DataView, at: number, littleEndian?: boolean) => T;
type Set<T> = (view: DataView, at: number, value: T, littleEndian?: boolean) => void;
const DV = DataView.prototype;
// DataView's accessors, uncurried: the iocbs, iovecs and timespecs the kernel reads are
// written through these, so a patched `DataView.prototype.setBigUint64` cannot change them.
export const dvGetUint16 = uncurryThis(DV.getUint16) as Get<number>;
export const dvGetInt16 = uncurryThis(DV.getInt16) as Get<number>;
export const dvGetUint32 = uncurryThis(DV.getUint32) as Get<number>;
export const dvGetInt32 = uncurryThis(DV.getInt32) as Get<number>;
export const dvGetBigUint64 = uncurryThis(DV.getBigUint64) as Get<bigint>;
export const dvGetBigInt64 = uncurryThis(DV.getBigInt64) as Get<bigint>;
export const dvSetUint16 = uncurryThis(DV.setUint16) as Set<number>;
export const dvSetUint32 = uncurryThis(DV.setUint32) as Set<number>;
export const dvSetBigUint64 = uncurryThis(DV.setBigUint64) as Set<bigint>;
export const dvSetBigInt64 = uncurryThis(DV.setBigInt64) as Set<bigint>;
export const numberIsSafeInteger = Number.isSafeInteger;

function notAView(value: unknown): never {
  throw new InvalidArgTypeError('view', 'an instance of Buffer, TypedArray, or DataView', value);
}

/** The TypedArray's kind (`'Uint8Array'`...), or undefined for anything else (a Proxy too). */
export function typedArrayName(value: unknown): string | undefined {
  return typedArrayTag(value);
}

/** True for a genuine TypedArray (a Proxy or a look-alike is not one). */
export function isTypedArray(value: unknown): value is NodeJS.TypedArray {
  return typedArrayTag(value) !== undefined;
}

/** True for a genuine TypedArray or DataView (what the kernel may be given memory of). */
export function isView(value: unknown): value is ArrayBufferView {
  return typedArrayTag(value) !== undefined || nativeIsDataView(value);
}

/**
 * The ArrayBuffer or SharedArrayBuffer behind a genuine view.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for anything but a TypedArray or DataView.
 */
export function viewBuffer(view: ArrayBufferView): ArrayBufferLike {
  if (typedArrayTag(view) !== undefined) return typedArrayBuffer(view);
  return nativeIsDataView(view) ? dataViewBuffer(view) : notAView(view);
}

/**
 * The view's true byte offset into its buffer.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for anything but a TypedArray or DataView.
 */
export function viewByteOffset(view: ArrayBufferView): number {
  if (typedArrayTag(view) !== undefined) return typedArrayByteOffset(view);
  return nativeIsDataView(view) ? dataViewByteOffset(view) : notAView(view);
}

/**
 * The view's true byte length: 0 once its buffer was detached (or shrank below the view),
 * the current length for a length-tracking view of a growable SharedArrayBuffer.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for anything but a TypedArray or DataView.
 */
export function viewByteLength(view: ArrayBufferView): number {
  if (typedArrayTag(view) !== undefined) return typedArrayByteLength(view);
  return nativeIsDataView(view) ? dataViewByteLength(view) : notAView(view);
}

/**
 * A genuine TypedArray's true element count.
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` for anything else.
 */
export function typedArrayLength(view: NodeJS.TypedArray): number {
  return typedArrayTag(view) !== undefined ? typedArrayLengthGetter(view) : notAView(view);
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

/**
 * True when an ArrayBuffer was detached (transferred); Node 20 has no `ArrayBuffer#detached`.
 * Anything that is not a genuine ArrayBuffer (a SharedArrayBuffer, a Proxy) is not detached.
 */
export function isDetached(buffer: ArrayBufferLike): boolean {
  if (!isArrayBuffer(buffer) || arrayBufferByteLength(buffer) !== 0) return false;
  try {
    new Uint8ArrayCtor(buffer);
    return false;
  } catch {
    return true;
  }
}

/**
 * A Map whose methods were captured at load: `Map.prototype.get` patched by other code is
 * not called (Node core's SafeMap does the same).
 */
export class SafeMap<K, V> extends Map<K, V> {}
/** A WeakMap whose methods were captured at load (see SafeMap). */
export class SafeWeakMap<K extends WeakKey, V> extends WeakMap<K, V> {}
for (const [Safe, Base] of [
  [SafeMap, Map],
  [SafeWeakMap, WeakMap],
] as const) {
  for (const key of Reflect.ownKeys(Base.prototype)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(Base.prototype, key)!;
    Object.defineProperty(Safe.prototype, key, descriptor);
  }
  Object.freeze(Safe.prototype);
}

export { isArray, isArrayBuffer, isSharedArrayBuffer };
