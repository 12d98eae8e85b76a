// The process-wide context behind open(), readFile(), writeFile() and the streams when no
// context is given. Created on first use; like any context it keeps nothing alive when idle.
import { AioContext } from './context.js';

/**
 * maxRequests of the default context: twice a new AioContext's DEFAULT_MAX_REQUESTS, since
 * every file, readFile and stream of the process shares it (each readFile keeps up to
 * DEFAULT_CONCURRENCY chunks in flight).
 */
export const DEFAULT_CONTEXT_MAX_REQUESTS = 256;

let shared: AioContext | null = null;

/** The default context (a new one if the previous was closed), of DEFAULT_CONTEXT_MAX_REQUESTS. */
export function defaultContext(): AioContext {
  if (shared === null || shared.closed) {
    shared = new AioContext({ maxRequests: DEFAULT_CONTEXT_MAX_REQUESTS });
  }
  return shared;
}

/**
 * Closes the default context if one was created (it is created again on next use). For tests
 * and orderly shutdowns; an idle default context never keeps the process alive anyway.
 */
export async function closeDefaultContext(): Promise<void> {
  const ctx = shared;
  shared = null;
  await ctx?.close();
}
