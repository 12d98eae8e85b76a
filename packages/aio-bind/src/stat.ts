// statx(2), whose struct has one layout on every architecture (unlike struct stat): used to
// tell regular files and block devices (truly asynchronous under AIO) from pipes, sockets and
// character devices (whose reads run inside io_submit and can block it forever).
import { NATIVE_ABI } from './abi.js';
import { InvalidArgTypeError, InvalidArgValueError } from './arg-errors.js';
import { AT_EMPTY_PATH, S_IF, STATX } from './constants.js';
import { errnoException } from './errors.js';
import { ffi, lastErrno } from './ffi.js';
import {
  DataViewCtor,
  dvGetBigUint64,
  dvGetUint16,
  dvGetUint32,
  viewBuffer,
  viewByteOffset,
} from './intrinsics.js';
import { validateFd, validateInteger, validateStructBuffer } from './validate.js';

/** `sizeof(struct statx)`. */
export const SIZEOF_STATX = 256;
/** Byte offsets of the `struct statx` fields read here (include/uapi/linux/stat.h). */
export const STATX_OFFSETS = Object.freeze({
  stx_mask: 0x00,
  stx_blksize: 0x04,
  stx_mode: 0x1c,
  stx_ino: 0x20,
  stx_size: 0x28,
  stx_rdev_major: 0x80,
  stx_rdev_minor: 0x84,
  stx_dev_major: 0x88,
  stx_dev_minor: 0x8c,
  stx_dio_mem_align: 0x98,
  stx_dio_offset_align: 0x9c,
} as const);

/** The fields of `struct statx` that matter for AIO, decoded. */
export interface StatxInfo {
  /** Which fields the kernel filled (STATX.* bits). */
  mask: number;
  blksize: number;
  /** st_mode, type bits included. */
  mode: number;
  ino: bigint;
  size: number;
  /** Device of a block/char special file. */
  rdevMajor: number;
  rdevMinor: number;
  /** Device the file lives on. */
  devMajor: number;
  devMinor: number;
  /** O_DIRECT alignment of memory and of file offsets/lengths; 0 when O_DIRECT is unsupported or unknown (mask without STATX.DIOALIGN). */
  dioMemAlign: number;
  dioOffsetAlign: number;
}

/**
 * Decodes a `struct statx` filled by statx(). `buf` is located by its internal slots: a view
 * claiming 256 bytes through an overridden `byteLength` is measured by its true length.
 * @throws {RangeError} `ERR_OUT_OF_RANGE` when `buf` is shorter than 256 bytes.
 */
export function decodeStatx(buf: Uint8Array): StatxInfo {
  validateStructBuffer(buf, 'buf', SIZEOF_STATX);
  const le = NATIVE_ABI.endianness === 'LE';
  const dv = new DataViewCtor(viewBuffer(buf), viewByteOffset(buf), SIZEOF_STATX);
  const o = STATX_OFFSETS;
  const u32 = (at: number) => dvGetUint32(dv, at, le);
  return {
    mask: u32(o.stx_mask),
    blksize: u32(o.stx_blksize),
    mode: dvGetUint16(dv, o.stx_mode, le),
    ino: dvGetBigUint64(dv, o.stx_ino, le),
    size: Number(dvGetBigUint64(dv, o.stx_size, le)),
    rdevMajor: u32(o.stx_rdev_major),
    rdevMinor: u32(o.stx_rdev_minor),
    devMajor: u32(o.stx_dev_major),
    devMinor: u32(o.stx_dev_minor),
    dioMemAlign: u32(o.stx_dio_mem_align),
    dioOffsetAlign: u32(o.stx_dio_offset_align),
  };
}

/** `fcntl` commands exposed here. */
export const F = Object.freeze({ GETFL: 3, SETFL: 4 } as const);

/**
 * `int fcntl(int fd, int cmd, long arg)` for integer commands (F.GETFL, F.SETFL).
 * @throws {AioError} EBADF, EINVAL.
 * @example const directNow = (fcntl(fd, F.GETFL) & fs.constants.O_DIRECT) !== 0;
 */
export function fcntl(fd: number, cmd: number, arg = 0): number {
  validateFd(fd);
  validateInteger(cmd, 'cmd', 0, 0x7fff_ffff);
  validateInteger(arg, 'arg', -0x8000_0000, 0xffff_ffff);
  const f = ffi();
  const result = f.fcntl(fd, cmd, arg);
  if (result < 0) throw errnoException(lastErrno(), 'fcntl', { fd });
  return result;
}

const AT_FDCWD = -100;
// Captured at load: the path buffer's length decides how far the kernel reads.
const bufferFrom = Buffer.from as (value: string, encoding: BufferEncoding) => Buffer;
const EMPTY_PATH: Uint8Array = new Uint8Array(1);
const scratch = new Uint8Array(SIZEOF_STATX);
const scratchView = new DataViewCtor(scratch.buffer);

/**
 * `int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)`.
 * `path` null means the descriptor itself (AT_EMPTY_PATH is added); `dirfd` null means AT_FDCWD.
 * Returns `buf`. The kernel writes 256 bytes into `buf`: its true length is checked (an
 * overridden `byteLength` is not consulted).
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
  else cpath = bufferFrom(`${path}\0`, 'utf8');
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
  validateFd(fd);
  const f = ffi();
  if (f.statx(f.nr.statx, fd, EMPTY_PATH, AT_EMPTY_PATH, STATX.TYPE, scratch) < 0) {
    throw errnoException(lastErrno(), 'statx', { fd });
  }
  return dvGetUint16(scratchView, STATX_OFFSETS.stx_mode, NATIVE_ABI.endianness === 'LE') & S_IF.MT;
}
