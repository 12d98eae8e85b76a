// statx(2), whose struct has one layout on every architecture (unlike struct stat): used to
// tell regular files and block devices (truly asynchronous under AIO) from pipes, sockets and
// character devices (whose reads run inside io_submit and can block it forever).
import { NATIVE_ABI } from './abi.js';
import { AT_EMPTY_PATH, S_IF, STATX } from './constants.js';
import { errnoException } from './errors.js';
import { ffi, lastErrno } from './ffi.js';
import {
  InvalidArgTypeError,
  InvalidArgValueError,
  validateInteger,
  validateStructBuffer,
} from './validate.js';

/** `sizeof(struct statx)`. */
export const SIZEOF_STATX = 256;
/** Byte offsets of the `struct statx` fields read here (include/uapi/linux/stat.h). */
export const STATX_OFFSETS = Object.freeze({
  stx_mask: 0x00,
  stx_blksize: 0x04,
  stx_mode: 0x1c,
  stx_size: 0x28,
  stx_dio_mem_align: 0x98,
  stx_dio_offset_align: 0x9c,
} as const);

const AT_FDCWD = -100;
const EMPTY_PATH = new Uint8Array(1);
const scratch = new Uint8Array(SIZEOF_STATX);
const scratchView = new DataView(scratch.buffer);

/**
 * `int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)`.
 * `path` null means the descriptor itself (AT_EMPTY_PATH is added); `dirfd` null means AT_FDCWD.
 * Returns `buf`.
 * @throws {AioError} EBADF, ENOENT, EACCES... ; `ERR_OUT_OF_RANGE` when `buf` is under 256 bytes.
 */
export function statx<T extends Uint8Array>(
  dirfd: number | null,
  path: string | null,
  flags: number,
  mask: number,
  buf: T,
): T {
  const dir = dirfd ?? AT_FDCWD;
  validateInteger(dir, 'dirfd', AT_FDCWD, 0x7fff_ffff);
  validateInteger(flags, 'flags', 0, 0xffff_ffff);
  validateInteger(mask, 'mask', 0, 0xffff_ffff);
  validateStructBuffer(buf, 'buf', SIZEOF_STATX);
  let cpath = EMPTY_PATH;
  let atFlags = flags;
  if (path === null) atFlags |= AT_EMPTY_PATH;
  else if (typeof path !== 'string')
    throw new InvalidArgTypeError('path', 'of type string or null', path);
  else if (path.includes('\0'))
    throw new InvalidArgValueError('path', path, 'must not contain NUL bytes');
  else cpath = Buffer.from(`${path}\0`, 'utf8');
  const f = ffi();
  if (f.statx(f.nr.statx, dir, cpath, atFlags, mask, buf) < 0) {
    throw errnoException(lastErrno(), 'statx', dirfd === null ? {} : { fd: dir });
  }
  return buf;
}

/**
 * The file type bits (`st_mode & S_IFMT`) of an open descriptor: `S_IF.REG`, `S_IF.BLK`,
 * `S_IF.FIFO`... An eventfd, epoll or other anonymous-inode fd reports 0.
 * @throws {AioError} EBADF when `fd` is not open.
 */
export function fileType(fd: number): number {
  validateInteger(fd, 'fd', 0, 0x7fff_ffff);
  const f = ffi();
  if (f.statx(f.nr.statx, fd, EMPTY_PATH, AT_EMPTY_PATH, STATX.TYPE, scratch) < 0) {
    throw errnoException(lastErrno(), 'statx', { fd });
  }
  return scratchView.getUint16(STATX_OFFSETS.stx_mode, NATIVE_ABI.endianness === 'LE') & S_IF.MT;
}
