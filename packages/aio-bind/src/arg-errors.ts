// Argument errors with Node's codes (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE,
// ERR_OUT_OF_RANGE), thrown before anything reaches the kernel. Building the message must not
// run the caller's code either: a Proxy's traps or a throwing `constructor` getter would
// otherwise replace the coded error with one of their own (or run between checks).
import { inspect, types } from 'node:util';

const { isProxy } = types;
const safeInspect = { customInspect: false, getters: false, showProxy: false } as const;

function constructorName(value: object): string | undefined {
  try {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

function functionName(fn: unknown): string {
  try {
    const name = (fn as { name?: unknown }).name;
    return typeof name === 'string' && name !== '' ? name : '<anonymous>';
  } catch {
    return '<anonymous>';
  }
}

function received(value: unknown): string {
  if (value === null || value === undefined) return ` Received ${value}`;
  if (isProxy(value)) return ' Received a Proxy';
  if (typeof value === 'function') return ` Received function ${functionName(value)}`;
  if (typeof value === 'object') {
    const name = constructorName(value);
    return name ? ` Received an instance of ${name}` : ` Received ${show(value, -1)}`;
  }
  let shown = show(value, 0);
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

function show(value: unknown, depth: number): string {
  try {
    return inspect(value, { ...safeInspect, depth, breakLength: Number.POSITIVE_INFINITY });
  } catch {
    return '<uninspectable>';
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (isProxy(value)) return 'a Proxy';
  return show(value, 0);
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
