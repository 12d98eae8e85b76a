// Test helpers for @aio/core: temp files removed afterwards, contexts closed in finally.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileHandlesKnown, learnFrom } from '../src/file-handles.js';
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

/**
 * Lets the event loop turn (setImmediate) until `done()` is true, at most `turns` times; returns
 * whether it became true. For states reached after the engine's next flush, which can wait for
 * a loop turn when the turn's budget of inline work is spent (fairness): order, not time.
 */
export async function untilTurns(done: () => boolean, turns = 1000): Promise<boolean> {
  for (let i = 0; i < turns && !done(); i++) await new Promise((resolve) => setImmediate(resolve));
  return done();
}

/**
 * Waits until the engine knows the FileHandle class (learned, from a /dev/null it opens, once it
 * has seen something that looks like a FileHandle, here `handle`): from then on FileHandles
 * hold their descriptor for our requests.
 */
export async function untilFileHandlesKnown(handle: object): Promise<void> {
  learnFrom(handle);
  if (!(await untilTurns(fileHandlesKnown, 100_000))) throw new Error('FileHandle class unknown');
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * The first offset at which `a` and `b` differ (one of them ending there counts), or -1 when
 * they hold the same bytes. For checks that report the place rather than assert on it.
 */
export function firstDifference(a: ArrayBufferView, b: ArrayBufferView): number {
  const x = bytesOf(a);
  const y = bytesOf(b);
  if (Buffer.compare(x, y) === 0) return -1; // memcmp: fast for megabytes
  let at = 0;
  while (at < x.length && at < y.length && x[at] === y[at]) at++;
  return at;
}

/**
 * Expects `actual` to hold exactly the bytes of `expected`. Fast for megabytes (toEqual on a
 * large Buffer compares element by element and takes seconds), and on a mismatch the failure
 * shows both lengths and the first differing offset, with 32 bytes of each side from there in
 * hex (a side that ends there shows none).
 */
export function expectBytes(actual: ArrayBufferView, expected: ArrayBufferView): void {
  const at = firstDifference(actual, expected);
  if (at < 0) return;
  const window = (view: ArrayBufferView) => {
    const b = bytesOf(view);
    return { length: b.length, at, hex: b.subarray(at, at + 32).toString('hex') };
  };
  expect(window(actual)).toEqual(window(expected));
}
