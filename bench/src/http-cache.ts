// Page-cache control for the cold and warm cases of `pnpm bench http` and `pnpm bench workers`,
// for one file or many, without root: dropping all caches (drop_caches) would also throw away
// what other processes on the machine rely on.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { warmPageCache } from './files.js';

const CHUNK = 512;

/**
 * Drops the files' pages from the page cache: GNU dd's `iflag=nocache count=0` idiom
 * (posix_fadvise POSIX_FADV_DONTNEED over the whole file). Dirty pages survive DONTNEED, and a
 * freshly written bench file is dirty until writeback, so the files are synced first.
 */
export function evict(paths: readonly string[]): void {
  for (const path of paths) {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd); // cheap when already clean
    } finally {
      closeSync(fd);
    }
  }
  // One shell for many files: a spawn per file from Node costs several ms each.
  const script = 'for f; do dd if="$f" iflag=nocache count=0 status=none || exit 1; done';
  for (let i = 0; i < paths.length; i += CHUNK) {
    execFileSync('sh', ['-c', script, 'sh', ...paths.slice(i, i + CHUNK)], { stdio: 'ignore' });
  }
}

/**
 * Fraction (0-1) of the files' bytes in the page cache, from util-linux fincore, or null where
 * fincore is missing.
 */
export function residency(paths: readonly string[]): number | null {
  let resident = 0;
  let total = 0;
  try {
    for (let i = 0; i < paths.length; i += CHUNK) {
      const batch = paths.slice(i, i + CHUNK);
      const out = execFileSync(
        'fincore',
        ['--bytes', '--noheadings', '--output', 'RES,SIZE', ...batch],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      );
      for (const line of out.trim().split('\n')) {
        // RES counts whole pages: a file's last, partial page would count as more than its size.
        const [res, size] = line.trim().split(/\s+/).map(Number);
        resident += Math.min(res!, size!);
        total += size!;
      }
    }
  } catch {
    return null;
  }
  return Number.isFinite(resident) && total > 0 ? resident / total : null;
}

/**
 * Brings the files into the page cache unless fincore says they are (almost) all there already:
 * re-reading a cached 1 GiB file before every warm cell would cost about a second each.
 */
export function warm(paths: readonly string[]): void {
  const now = residency(paths);
  if (now !== null && now >= 0.995) return;
  if (paths.length === 1) warmPageCache(paths[0]!);
  else for (const p of paths) readFileSync(p);
}
