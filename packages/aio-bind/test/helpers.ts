// Test helpers: temp files that are cleaned up, contexts destroyed in finally.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io_destroy, io_setup } from '../src/index.js';

/** A fresh temp directory under /tmp (ext4 here: O_DIRECT works), removed by cleanup(). */
export function tempDir(prefix = 'aio-bind-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic bytes: byte i of the pattern is (i * 31 + seed) & 0xff. */
export function pattern(size: number, seed = 7): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Writes `content` to a new file in `dir` and opens it with `flags`. */
export function fileWith(dir: string, name: string, content: Uint8Array, flags = 'r+'): number {
  const path = join(dir, name);
  writeFileSync(path, content);
  return openSync(path, flags);
}

/** Runs `fn` with a fresh context that is destroyed afterwards, whatever happens. */
export function withContext<T>(nrEvents: number, fn: (ctx: bigint) => T): T {
  const ctx = io_setup(nrEvents);
  try {
    return fn(ctx);
  } finally {
    io_destroy(ctx);
  }
}

/**
 * Lets the event loop turn `turns` times (setImmediate): each turn runs its poll phase, so fds
 * that are ready get reported in between. A count of turns, not a duration.
 */
export async function loopTurns(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Closes fds, ignoring the ones already closed. */
export function closeAll(...fds: number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {}
  }
}

/** A Buffer whose address is aligned to `alignment` (a slice of a larger allocation). */
export function alignedBuffer(size: number, alignment = 4096): Buffer {
  const raw = Buffer.alloc(size + alignment);
  const { addressOf } = require('../src/index.js') as typeof import('../src/index.js');
  const misalign = Number(addressOf(raw) % BigInt(alignment));
  const start = misalign === 0 ? 0 : alignment - misalign;
  return raw.subarray(start, start + size);
}
