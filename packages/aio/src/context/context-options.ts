// The options of `new AioContext()` and their checks.
import { InvalidArgTypeError, InvalidArgValueError } from '@aio/bind';
import { validateInteger } from '@aio/bind/internal';
import type { EngineOptions } from '../engine/engine.js';
import type { EngineStats } from '../engine/stats.js';
import { type Backend, pollAvailable } from '../engine/waker.js';

/** Options of `new AioContext()`. */
export interface AioContextOptions {
  /** The most requests in flight at once; more wait in a queue. 1 to 65536, default 128. */
  maxRequests?: number;
  /** How completions wake the event loop: 'auto' (default: 'poll' where available), 'poll', 'threadpool'. */
  backend?: Backend | 'auto';
  /**
   * The most iocbs per io_submit call, or 'auto' (default): 16 while requests complete inside
   * io_submit (buffered I/O), 1 while the device holds them (O_DIRECT). See the README.
   */
  submitBatch?: number | 'auto';
}

/** Where a context's requests went: see {@link AioContext.stats}. */
export type AioContextStats = EngineStats;

/** Options of `run()`. */
export interface RunOptions {
  signal?: AbortSignal;
}

/** Default `maxRequests`. */
export const DEFAULT_MAX_REQUESTS = 128;
const BACKENDS = new Set(['auto', 'poll', 'threadpool']);

/** Checks `new AioContext()`'s options; returns them with defaults. */
export function validateContextOptions(
  options: unknown,
): Pick<EngineOptions<object>, 'maxRequests' | 'backend' | 'submitBatch'> {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgTypeError('options', 'of type object', options);
  }
  const {
    maxRequests = DEFAULT_MAX_REQUESTS,
    backend = 'auto',
    submitBatch,
  } = options as AioContextOptions;
  validateInteger(maxRequests, 'options.maxRequests', 1, 65536);
  if (!BACKENDS.has(backend)) {
    throw new InvalidArgValueError(
      'options.backend',
      backend,
      "must be 'auto', 'poll' or 'threadpool'",
    );
  }
  if (backend === 'poll' && !pollAvailable()) {
    throw new InvalidArgValueError(
      'options.backend',
      backend,
      'is not available: koffi has no uv_poll',
    );
  }
  const batch = submitBatch ?? 'auto';
  if (batch !== 'auto') validateInteger(batch, 'options.submitBatch', 1, maxRequests);
  return { maxRequests, backend, submitBatch: batch };
}
