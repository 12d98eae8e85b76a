// What the engine calls on objects a caller can reach, captured when the module loads (as
// Node core's primordials are): a caller may override `signal.removeEventListener`, patch
// `Promise.prototype.then` or define getters anywhere, and none of that may run while the
// engine submits requests or processes completions. The view accessors live in
// @aio/bind/internal; these are the rest.
import { types } from 'node:util';

const uncurryThis = Function.prototype.bind.bind(Function.prototype.call) as <
  A extends unknown[],
  R,
>(
  fn: (this: never, ...args: A) => R,
) => (self: unknown, ...args: A) => R;

function getter<T>(proto: object, name: PropertyKey): (self: unknown) => T {
  const get = Object.getOwnPropertyDescriptor(proto, name)?.get;
  if (get === undefined) throw new Error(`intrinsic getter ${String(name)} missing`);
  return uncurryThis(get as (this: never) => T);
}

const signalAborted = getter<boolean>(AbortSignal.prototype, 'aborted');

/** `signal.aborted` of a genuine AbortSignal. */
export const abortSignalAborted: (signal: AbortSignal) => boolean = signalAborted;
/** `signal.reason` of a genuine AbortSignal. */
export const abortSignalReason: (signal: AbortSignal) => unknown = getter(
  AbortSignal.prototype,
  'reason',
);

/** True for a genuine AbortSignal (its own getter brand-checks the receiver). */
export function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false;
  try {
    signalAborted(value);
    return true;
  } catch {
    return false;
  }
}

/** EventTarget.prototype.addEventListener / removeEventListener, uncurried. */
export const addEventListener = uncurryThis(EventTarget.prototype.addEventListener) as (
  target: EventTarget,
  type: string,
  listener: () => void,
  options?: { once: boolean },
) => void;
export const removeEventListener = uncurryThis(EventTarget.prototype.removeEventListener) as (
  target: EventTarget,
  type: string,
  listener: () => void,
) => void;

/** Promise.prototype.then, uncurried (a caller may patch the prototype). */
export const promiseThen = uncurryThis(Promise.prototype.then) as <T>(
  promise: Promise<T>,
  onFulfilled: (value: T) => void,
  onRejected: (reason: unknown) => void,
) => void;

export const PromiseCtor = Promise;
export const isProxy = types.isProxy;
export const getPrototypeOf = Object.getPrototypeOf;
export const now: () => number = performance.now.bind(performance);
export const queueMicrotaskSafe: (fn: () => void) => void = queueMicrotask;
export const setImmediateSafe: (fn: () => void) => NodeJS.Immediate = setImmediate;
