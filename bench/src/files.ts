// Benchmark files live outside the repository (default /tmp/aio-bench, or $AIO_BENCH_DIR),
// are written with real data (unwritten extents would let O_DIRECT skip the device), and are
// reused across runs when their size matches. Offset lists are written there too, so that the
// C reference and the io_uring peer process read exactly the offsets the in-process loops read.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { residency } from './cache.js';
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
    fsyncSync(fd); // clean pages: posix_fadvise(DONTNEED) can then evict them for a cold run
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Writes `offsets` (byte positions below 2^53) as little-endian uint64 for the C reference
 * and the peers: as two uint32 halves each, which is 50x faster than a BigInt per offset.
 */
export function writeOffsets(offsets: Float64Array, name: string): string {
  const path = join(benchDir(), `offsets-${name}.bin`);
  const words = new Uint32Array(offsets.length * 2);
  for (let i = 0; i < offsets.length; i++) {
    words[2 * i] = offsets[i]! % 2 ** 32;
    words[2 * i + 1] = Math.floor(offsets[i]! / 2 ** 32);
  }
  writeFileSync(path, new Uint8Array(words.buffer));
  return path;
}

/** Reads a file written by writeOffsets(). */
export function readOffsets(path: string): Float64Array {
  const bytes = readFileSync(path);
  const words = new Uint32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  );
  const offsets = new Float64Array(words.length / 2);
  for (let i = 0; i < offsets.length; i++) offsets[i] = words[2 * i]! + words[2 * i + 1]! * 2 ** 32;
  return offsets;
}

/**
 * Reads the whole file so that buffered reads of it come from the page cache (kept for the
 * benchmarks written against it; cache.ts's ensureCached() skips the read when it is cached).
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

/** Bytes of `path` in the page cache (cache.ts's residency(), as a byte count). */
export function residentBytes(path: string): number | null {
  try {
    return Math.round(residency(path) * statSync(path).size);
  } catch {
    return null;
  }
}
