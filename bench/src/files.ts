// Benchmark files live outside the repository (default /tmp/aio-bench, or $AIO_BENCH_DIR),
// are written with real data (unwritten extents would let O_DIRECT skip the device), and are
// reused across runs when their size matches.
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

/** Reads the whole file once so that buffered reads of it come from the page cache. */
export function warmPageCache(path: string): void {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(1 << 20);
  try {
    while (readSync(fd, chunk) > 0);
  } finally {
    closeSync(fd);
  }
}
