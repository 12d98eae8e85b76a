// fs.promises FileHandles given as a request's file. A FileHandle counts the operations it has
// running and its close() waits for them (Node's own reads and writes take a reference with
// its kRef method and drop it with kUnref); the engine takes the same reference for each of its
// requests, so a FileHandle closed while a request is queued or in flight keeps its descriptor
// until the kernel is done, instead of letting the number be reused for another file under
// the request.
//
// Only genuine FileHandles get this: their prototype is learned from one the package opened
// itself, and from then on a candidate is one only if its prototype is that very object (a
// look-alike class, a Proxy or a plain { fd } object is read once, at the call, like a
// number). The fd getter and kRef/kUnref are Node's own code, so calling them while the engine
// runs calls no caller code.
import { open } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { getPrototypeOf, isProxy, promiseThen } from './primordials.js';

const ReflectApply = Reflect.apply;
const ownSymbols = Object.getOwnPropertySymbols;
const ownDescriptor = Object.getOwnPropertyDescriptor;

interface Brand {
  readonly prototype: object;
  readonly fd: (handle: object) => number;
  readonly ref: ((handle: object) => void) | null;
  readonly unref: ((handle: object) => void) | null;
}

let brand: Brand | null = null;
let learning = false;

function method(prototype: object, description: string): ((handle: object) => void) | null {
  for (const symbol of ownSymbols(prototype)) {
    const value = (prototype as Record<symbol, unknown>)[symbol];
    if (symbol.description === description && typeof value === 'function') {
      return (handle) => ReflectApply(value, handle, []);
    }
  }
  return null;
}

/** Learns the FileHandle class from `handle`, which must come from fs.promises.open. */
export function learnFileHandle(handle: object): void {
  if (brand !== null) return;
  const prototype = getPrototypeOf(handle) as object;
  const get = ownDescriptor(prototype, 'fd')?.get;
  if (get === undefined) return;
  const ref = method(prototype, 'kRef');
  const unref = method(prototype, 'kUnref');
  brand = {
    prototype,
    fd: (h) => ReflectApply(get, h, []) as number,
    // Both or neither: a reference that is never dropped would make close() wait forever.
    ref: ref !== null && unref !== null ? ref : null,
    unref: ref !== null && unref !== null ? unref : null,
  };
}

/**
 * Whether `value` looks like a FileHandle (its prototype has Node's `fd` getter and kRef
 * method). Only a hint, to know when learning the class is worth it: a look-alike passes too.
 */
function looksLikeFileHandle(value: object): boolean {
  const prototype = getPrototypeOf(value) as object | null;
  if (prototype === null || isProxy(value)) return false;
  return ownDescriptor(prototype, 'fd')?.get !== undefined && method(prototype, 'kRef') !== null;
}

/**
 * Seeing what looks like a FileHandle, opens /dev/null once to learn the real class (the
 * caller uses fs.promises, so its threadpool is running anyway; a context alone never starts
 * it). On the main thread only: a worker terminated while that handle's close is pending
 * would leak the fd (node cancels the queued close). Workers learn from the first file
 * open() opens.
 */
export function learnFrom(value: object): void {
  if (brand !== null || learning || !isMainThread || !looksLikeFileHandle(value)) return;
  learning = true;
  promiseThen(
    open('/dev/null', 'r'),
    (handle) => {
      learnFileHandle(handle);
      promiseThen(
        handle.close(),
        () => {},
        () => {},
      );
    },
    () => {}, // no /dev/null: FileHandles are read like { fd } objects
  );
}

/** Whether the FileHandle class is known yet (it is learned asynchronously, see learnFrom). */
export function fileHandlesKnown(): boolean {
  return brand !== null;
}

/** True for a genuine fs.promises FileHandle (once the class is known). */
export function isFileHandle(value: object): boolean {
  // The prototype first: a Proxy's trap runs at the call, where caller code may run, and only a
  // value that claims FileHandle's prototype pays for the Proxy check.
  return brand !== null && getPrototypeOf(value) === brand.prototype && !isProxy(value);
}

/** The descriptor of a genuine FileHandle: -1 once it is closed. */
export function fileHandleFd(handle: object): number {
  return brand!.fd(handle);
}

/** Holds the handle's descriptor open until releaseFileHandle(); false when Node offers no way. */
export function holdFileHandle(handle: object): boolean {
  if (brand?.ref == null) return false;
  brand.ref(handle);
  return true;
}

/** Drops what holdFileHandle() took (a pending close() then goes ahead). */
export function releaseFileHandle(handle: object): void {
  brand!.unref!(handle);
}
