// The files `pnpm bench http` serves and the order it asks for them in. Cold cells must read
// data that is not cached: requests walk a permutation (no block, range or file twice before
// all were asked for), so eviction before the run is not undone by the run itself.
//
// The files hold printable ASCII, not random bytes: autocannon decodes every response body as
// UTF-8 (it keeps bodies as strings), which costs about 1.9 ms per 64 KiB of random bytes here
// and 30 us for ASCII. With random bytes the load generator, on the same cores, was the
// bottleneck. The I/O is the same whatever the bytes are.
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { benchDir } from './files.js';
import { smallFilePath } from './http-routes.js';
import { seeded } from './stats.js';

/** Four printable bytes ('0' to 'o') from 24 random bits. */
function text(chunk: Buffer, at: number, r: number): void {
  chunk[at] = 0x30 + (r & 0x3f);
  chunk[at + 1] = 0x30 + ((r >>> 6) & 0x3f);
  chunk[at + 2] = 0x30 + ((r >>> 12) & 0x3f);
  chunk[at + 3] = 0x30 + ((r >>> 18) & 0x3f);
}

function writeSynced(path: string, fill: (chunk: Buffer, offset: number) => void, size: number) {
  const chunk = Buffer.alloc(Math.min(size, 1 << 20));
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += chunk.length) {
      fill(chunk, written);
      writeSync(fd, chunk, 0, Math.min(chunk.length, size - written));
    }
    fsyncSync(fd); // dirty pages survive eviction: a cold run right after creation needs this
  } finally {
    closeSync(fd);
  }
}

/**
 * A file of `size` bytes of random printable text, created once. Every 4 KiB block starts with
 * its own random bytes, which index lookups use as the next block number.
 */
export function textFile(size: number): string {
  const path = join(benchDir(), `http-text-${size >> 20}m.txt`);
  if (existsSync(path) && statSync(path).size === size) return path;
  const rand = seeded(size + 1);
  writeSynced(
    path,
    (chunk) => {
      for (let i = 0; i < chunk.length; i += 4) text(chunk, i, (rand() * 2 ** 24) >>> 0);
    },
    size,
  );
  return path;
}

/** `count` text files of 1-100 KB (fixed seed), created once. */
export function smallFiles(count: number): { dir: string; paths: string[]; bytes: number } {
  const dir = join(benchDir(), `http-text-${count}`);
  mkdirSync(dir, { recursive: true });
  const rand = seeded(count);
  const paths: string[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const size = 1000 + Math.floor(rand() * 99_000);
    const path = smallFilePath(dir, i);
    paths.push(path);
    bytes += size;
    if (existsSync(path) && statSync(path).size === size) continue;
    writeSynced(
      path,
      (chunk) => {
        for (let j = 0; j < chunk.length; j++) chunk[j] = 0x30 + ((i * 31 + j * 7) & 0x3f);
      },
      size,
    );
  }
  return { dir, paths, bytes };
}

/** 0..n-1 in a seeded random order (Fisher-Yates). */
export function permutation(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rand = seeded(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** A cycling cursor over a permutation: each call the next index. */
export function cursor(order: Uint32Array): () => number {
  let i = 0;
  return () => order[i++ % order.length]!;
}
