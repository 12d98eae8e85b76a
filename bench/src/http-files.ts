// The files `pnpm bench http` serves and the order it asks for them in. Cold cells must read
// data that is not cached: requests walk a permutation (no block, range or file twice before
// all were asked for), so eviction before the run is not undone by the run itself.
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

/** `count` files of 1-100 KB (fixed seed), created once and synced so that they can be evicted. */
export function smallFiles(count: number): { dir: string; paths: string[]; bytes: number } {
  const dir = join(benchDir(), `http-small-${count}`);
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
    const data = Buffer.allocUnsafe(size);
    for (let j = 0; j < size; j++) data[j] = (i * 31 + j * 7) & 0xff;
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
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
