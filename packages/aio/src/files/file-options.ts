// Options of readFile / writeFile / appendFile and the streams, as node:fs takes them: an
// object, a bare encoding string, or null / undefined (a function counts as none, as in node's
// getOptions). Every property is read exactly once, here, into a fresh object: a getter runs
// once at the call and nothing is read from the caller's object afterwards.
import { InvalidArgTypeError, InvalidArgValueError } from '@aio/bind';
import { validateInteger } from '@aio/bind/internal';
import { AioContext } from '../context/context.js';
import { validateSignal } from '../validate.js';

/** The options @aio/core adds to node's, all about how the transfer is done. */
export interface TransferExtras {
  /** Use O_DIRECT when a path is opened (alignment handled for you). */
  direct?: boolean;
  /** The context to run on (default: the process-wide one). */
  context?: AioContext;
}

/** Every option of the whole-file and stream calls, read once. */
export interface ParsedOptions {
  encoding: BufferEncoding | 'buffer' | null | undefined;
  flag: unknown;
  flags: unknown;
  mode: unknown;
  signal: AbortSignal | undefined;
  flush: unknown;
  direct: boolean;
  context: AioContext | undefined;
  chunkSize: unknown;
  concurrency: unknown;
  highWaterMark: unknown;
  start: unknown;
  end: unknown;
  fd: unknown;
  autoClose: unknown;
  emitClose: unknown;
}

/** An encoding node:fs accepts ('buffer' included, as its getOptions lets it through). */
export function validateEncoding(encoding: unknown, name = 'encoding'): void {
  if (encoding === undefined || encoding === null || encoding === 'buffer') return;
  if (typeof encoding !== 'string' || !Buffer.isEncoding(encoding))
    throw new InvalidArgValueError(name, encoding, 'is invalid encoding');
}

/**
 * Reads `options` as node's getOptions does.
 * @throws {InvalidArgTypeError} `ERR_INVALID_ARG_TYPE` (options, signal, context);
 * {@link InvalidArgValueError} `ERR_INVALID_ARG_VALUE` (encoding).
 */
export function parseOptions(options: unknown): ParsedOptions {
  let o: Record<string, unknown> = {};
  if (typeof options === 'string') o = { encoding: options };
  else if (options !== null && options !== undefined && typeof options !== 'function') {
    if (typeof options !== 'object')
      throw new InvalidArgTypeError('options', 'of type string or an instance of Object', options);
    o = options as Record<string, unknown>;
  }
  const {
    encoding,
    flag,
    flags,
    mode,
    signal,
    flush,
    direct,
    context,
    chunkSize,
    concurrency,
    highWaterMark,
    start,
    end,
    fd,
    autoClose,
    emitClose,
  } = o;
  validateEncoding(encoding);
  if (signal !== undefined) validateSignal(signal);
  if (context !== undefined && !(context instanceof AioContext))
    throw new InvalidArgTypeError('options.context', 'an instance of AioContext', context);
  return {
    encoding: encoding as BufferEncoding | 'buffer' | null | undefined,
    flag,
    flags,
    mode,
    signal: signal as AbortSignal | undefined,
    flush,
    direct: direct === true,
    context: context as AioContext | undefined,
    chunkSize,
    concurrency,
    highWaterMark,
    start,
    end,
    fd,
    autoClose,
    emitClose,
  };
}

/** A boolean option (node's validateBoolean); undefined and null give `fallback`. */
export function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgTypeError(name, 'of type boolean', value);
  return value;
}

/** An integer option in [min, max], or `fallback` when undefined. */
export function integerOption(
  value: unknown,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  validateInteger(value, name, min, max);
  return value;
}
