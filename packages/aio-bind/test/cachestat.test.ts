// cachestat(2) against files whose pages were just written (cached) or evicted with
// posix_fadvise(DONTNEED) after an fsync (clean pages can be dropped without root).
import { closeSync, fsyncSync, openSync, readSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import koffi from 'koffi';
import { cachestat } from '../src/index.js';
import { cachedPages } from '../src/internal.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const libc = koffi.load(null);
const posixFadvise = libc.func('int posix_fadvise(int, long, long, int)');
const sysconf = libc.func('long sysconf(int)');
const PAGE = Number(sysconf(30)); // _SC_PAGESIZE
const POSIX_FADV_DONTNEED = 4;
const [major, minor] = release().split('.').map(Number) as [number, number];
const SUPPORTED = major > 6 || (major === 6 && minor >= 5);

function fileOf(pages: number): number {
  const path = join(tmp.dir, `f${pages}-${Math.random()}`);
  writeFileSync(path, Buffer.alloc(pages * PAGE, 0x33));
  return openSync(path, 'r+');
}

function evict(fd: number): void {
  fsyncSync(fd);
  expect(posixFadvise(fd, 0, 0, POSIX_FADV_DONTNEED)).toBe(0);
}

describe(`on Linux ${release()}`, () => {
  test('a freshly written file is cached page by page, an evicted one is not', () => {
    const fd = fileOf(16);
    try {
      if (!SUPPORTED) {
        // cachestat came with Linux 6.5: a coded ENOSYS, and -1 ("cannot tell") for @aio/core.
        expect(() => cachestat(fd)).toThrow(expect.objectContaining({ code: 'ENOSYS' }));
        expect(cachedPages(fd, 0, 0)).toBe(-1);
        return;
      }
      expect(cachestat(fd, 0, 0).nr_cache).toBe(16); // length 0: to the end of the file
      expect(cachestat(fd, PAGE, 2 * PAGE).nr_cache).toBe(2);
      expect(cachedPages(fd, 0, 0)).toBe(16);
      expect(cachedPages(fd, 15 * PAGE, 1)).toBe(1);
      evict(fd);
      expect(cachestat(fd)).toMatchObject({ nr_cache: 0, nr_dirty: 0, nr_writeback: 0 });
      expect(cachedPages(fd, 0, 0)).toBe(0);
      // Reading two pages back caches at least those two (readahead may add more).
      readSync(fd, Buffer.alloc(2 * PAGE), 0, 2 * PAGE, 4 * PAGE);
      expect(cachedPages(fd, 4 * PAGE, 2 * PAGE)).toBe(2);
      expect(cachedPages(fd, 4 * PAGE, 2 * PAGE)).toBe(cachestat(fd, 4 * PAGE, 2 * PAGE).nr_cache);
    } finally {
      closeSync(fd);
    }
  });

  test('64-bit offsets and a range past the end of the file count nothing', () => {
    const fd = fileOf(2);
    try {
      if (!SUPPORTED) return expect(cachedPages(fd, 2 ** 40, 4096)).toBe(-1);
      expect(cachestat(fd, 2n ** 40n, 0n).nr_cache).toBe(0);
      expect(cachedPages(fd, 2 ** 40, 4096)).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  test('a closed descriptor is EBADF from both', () => {
    const fd = fileOf(1);
    closeSync(fd);
    if (!SUPPORTED) return expect(cachedPages(fd, 0, 0)).toBe(-1);
    expect(() => cachestat(fd)).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'cachestat' }),
    );
    expect(() => cachedPages(fd, 0, 0)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});

test.each([
  ['cachestat fd -1', () => cachestat(-1), 'ERR_OUT_OF_RANGE'],
  ['cachestat offset -1', () => cachestat(0, -1), 'ERR_OUT_OF_RANGE'],
  ['cachestat length string', () => cachestat(0, 0, '1' as never), 'ERR_INVALID_ARG_TYPE'],
  ['cachestat offset 2^64', () => cachestat(0, 2n ** 64n), 'ERR_OUT_OF_RANGE'],
  ['cachedPages fd fractional', () => cachedPages(1.5, 0, 0), 'ERR_OUT_OF_RANGE'],
  ['cachedPages length NaN', () => cachedPages(0, 0, Number.NaN), 'ERR_OUT_OF_RANGE'],
])('%s is refused before the syscall', (_name, call, code) => {
  expect(call).toThrow(expect.objectContaining({ code }));
});
