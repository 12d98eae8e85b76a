// Shaping a file's page-cache residency for tests: evict it (posix_fadvise DONTNEED, no root
// needed), then cache exactly the pages wanted (read with readahead turned off for that open
// file: POSIX_FADV_RANDOM), and check what is resident (cachestat). Real kernel state, no mocks.
import { closeSync, fdatasyncSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cachedPages, pageSize } from '@aio/bind/internal';

// koffi is @aio/bind's dependency: resolve it from there.
const koffi = createRequire(require.resolve('@aio/bind'))('koffi') as {
  load(path: null): { func(signature: string): (...args: number[]) => number };
};
// int posix_fadvise(int fd, off_t offset, off_t len, int advice): returns the error number.
const fadvise = koffi.load(null).func('int posix_fadvise(int, long, long, int)');
const POSIX_FADV_RANDOM = 1;
const POSIX_FADV_DONTNEED = 4;

/** Writes the file's dirty pages back (DONTNEED only drops clean ones), then drops them all. */
export function evict(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fdatasyncSync(fd);
    const error = fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (error !== 0) throw new Error(`posix_fadvise DONTNEED: errno ${error}`);
  } finally {
    closeSync(fd);
  }
}

/** Evicts the file, then caches exactly the pages at these page indexes. */
export function cacheOnly(path: string, pages: readonly number[]): void {
  evict(path);
  const fd = openSync(path, 'r');
  try {
    fadvise(fd, 0, 0, POSIX_FADV_RANDOM); // no readahead around the pages we read
    const page = pageSize();
    const buffer = Buffer.alloc(page);
    for (const index of pages) readSync(fd, buffer, 0, page, index * page);
  } finally {
    closeSync(fd);
  }
}

/** Resident pages of [offset, offset + length) of the file, or -1 without cachestat. */
export function residentPages(path: string, offset = 0, length = 0): number {
  const fd = openSync(path, 'r');
  try {
    return cachedPages(fd, offset, length);
  } finally {
    closeSync(fd);
  }
}

export { pageSize };
