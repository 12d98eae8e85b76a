// Benchmark files live outside the repository (default /tmp/aio-bench, or $AIO_BENCH_DIR),
// are written with real data (unwritten extents would let O_DIRECT skip the device), and are
// reused across runs when their size matches.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { seeded } from './stats.js';

export function benchDir(): string {
  const dir = process.env.AIO_BENCH_DIR ?? '/tmp/aio-bench';
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A file of `size` bytes of pseudo-random data, created once. */
export function dataFile(name: string, size: number): string {
  const path = join(benchDir(), name);
  if (existsSync(path) && statSync(path).size === size) return path;
  const chunk = Buffer.alloc(1 << 20);
  const rand = seeded(size);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += chunk.length) {
      for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((rand() * 2 ** 32) >>> 0, i);
      writeSync(fd, chunk, 0, Math.min(chunk.length, size - written));
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Reads the whole file so that buffered reads of it come from the page cache. Call it before
 * every buffered run, not once: this VM does not keep page-cache pages for long (a cached
 * 1 GiB file lost 30 MB in the first 20 s idle, and had 1.4 MB left minutes later), and a
 * read that misses blocks inside io_submit, which would charge the disk to @aio/core.
 */
export function warmPageCache(path: string): void {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  try {
    while (readSync(fd, chunk) > 0);
  } finally {
    closeSync(fd);
  }
}

/** Bytes of `path` in the page cache (util-linux fincore), or null where fincore is missing. */
export function residentBytes(path: string): number | null {
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const bytes = Number(out.trim());
    return Number.isFinite(bytes) ? bytes : null;
  } catch {
    return null;
  }
}
