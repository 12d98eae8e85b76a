// cachestat(2) (Linux 6.5+): how many pages of a file range are in the page cache, without
// touching them (mincore needs a mapping, RWF_NOWAIT reads the data). A buffered write of
// part of a page that is not cached waits for the device inside io_submit (the kernel reads
// the rest of the page first), so this tells whether such a write can run inline.
import { NATIVE_ABI } from './abi.js';
import { errnoException } from './errors.js';
import { ffi, lastErrno } from './ffi.js';
import { BigUint64ArrayCtor, Uint32ArrayCtor } from './intrinsics.js';
import { toU64, validateFd, validateInteger } from './validate.js';

/** `struct cachestat`: page counts of the range (include/uapi/linux/mman.h). */
export interface CacheStat {
  /** Pages in the page cache. */
  nr_cache: number;
  /** Of those, dirty. */
  nr_dirty: number;
  /** Pages being written back. */
  nr_writeback: number;
  /** Pages evicted from the cache. */
  nr_evicted: number;
  /** Of those, evicted recently (they would still be cached with a slightly larger cache). */
  nr_recently_evicted: number;
}

const ENOSYS = 38;
const EPERM = 1;
const EOPNOTSUPP = 95;
const TWO_32 = 4294967296;
const LITTLE = NATIVE_ABI.endianness === 'LE';
const LO = LITTLE ? 0 : 1;
const HI = LITTLE ? 1 : 0;

function call(fd: number, range: BigUint64Array, stat: BigUint64Array): number {
  const f = ffi();
  // struct cachestat_range { __u64 off; __u64 len; }; flags must be 0.
  return f.cachestat(f.nr.cachestat, fd, range, stat, 0);
}

/**
 * `long cachestat(unsigned int fd, struct cachestat_range *range, struct cachestat *cstat,
 * unsigned int flags)`: the page-cache state of `length` bytes of `fd` from `offset`
 * (`length` 0: to the end of the file). The counts are of pages, not bytes.
 * @throws {AioError} ENOSYS (before Linux 6.5, or filtered), EBADF, ENOTSUP (EOPNOTSUPP:
 * hugetlbfs), EPERM (recent kernels: a file the caller may not write and does not own).
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {@link RangeError} `ERR_OUT_OF_RANGE` for
 * arguments outside their C types.
 * @example const { nr_cache } = cachestat(fd, 0, 0); // cached pages of the whole file
 */
export function cachestat(
  fd: number,
  offset: number | bigint = 0,
  length: number | bigint = 0,
): CacheStat {
  validateFd(fd);
  const range = new BigUint64ArrayCtor(2);
  range[0] = toU64(offset, 'offset');
  range[1] = toU64(length, 'length');
  const stat = new BigUint64ArrayCtor(5);
  if (call(fd, range, stat) < 0) throw errnoException(lastErrno(), 'cachestat', { fd });
  return {
    nr_cache: Number(stat[0]),
    nr_dirty: Number(stat[1]),
    nr_writeback: Number(stat[2]),
    nr_evicted: Number(stat[3]),
    nr_recently_evicted: Number(stat[4]),
  };
}

const scratchRange = new BigUint64ArrayCtor(2);
const rangeWords = new Uint32ArrayCtor(scratchRange.buffer);
const scratchStat = new BigUint64ArrayCtor(5);
const statWords = new Uint32ArrayCtor(scratchStat.buffer);
let missing = false;

/**
 * The number of cached pages of `length` bytes of `fd` from `offset` (0: to the end), or -1
 * when cachestat cannot tell: ENOSYS (remembered: later calls make no syscall), EOPNOTSUPP,
 * EPERM. Allocates nothing. For @aio/core.
 * @throws {AioError} EBADF and other failures; `ERR_OUT_OF_RANGE` unless `offset` and
 * `length` are non-negative safe integers.
 */
export function cachedPages(fd: number, offset: number, length: number): number {
  validateFd(fd);
  validateInteger(offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
  validateInteger(length, 'length', 0, Number.MAX_SAFE_INTEGER);
  if (missing) return -1;
  rangeWords[LO] = offset >>> 0;
  rangeWords[HI] = (offset / TWO_32) >>> 0;
  rangeWords[2 + LO] = length >>> 0;
  rangeWords[2 + HI] = (length / TWO_32) >>> 0;
  if (call(fd, scratchRange, scratchStat) >= 0) return statWords[HI]! * TWO_32 + statWords[LO]!;
  const errno = lastErrno();
  if (errno === ENOSYS) missing = true;
  if (errno === ENOSYS || errno === EOPNOTSUPP || errno === EPERM) return -1;
  throw errnoException(errno, 'cachestat', { fd });
}
