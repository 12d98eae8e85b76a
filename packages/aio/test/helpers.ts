// Test helpers for @aio/core: temp files removed afterwards, contexts closed in finally.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AioContext, type AioContextOptions } from '../src/index.js';

export function tempDir(prefix = 'aio-core-'): {
  dir: string;
  path(name: string): string;
  cleanup(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Deterministic bytes: byte i is (i * 31 + seed) & 0xff. */
export function pattern(size: number, seed = 7): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Writes `content` to `path` and opens it. */
export function fileWith(path: string, content: Uint8Array, flags = 'r+'): number {
  writeFileSync(path, content);
  return openSync(path, flags);
}

/** Runs `fn` with a fresh context, closed afterwards whatever happens. */
export async function withContext<T>(
  fn: (ctx: AioContext) => Promise<T> | T,
  options?: AioContextOptions,
): Promise<T> {
  const ctx = new AioContext(options);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}

export function closeAll(...fds: number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {}
  }
}

/** Both backends, for test.each. */
export const BACKENDS = ['poll', 'threadpool'] as const;
