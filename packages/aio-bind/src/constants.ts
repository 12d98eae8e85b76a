// Constants of the kernel AIO interface, named as in the kernel headers.
import { OutOfRangeError } from './arg-errors.js';
import { validateInteger } from './validate.js';

/** `enum { IOCB_CMD_PREAD = 0, ... }` from include/uapi/linux/aio_abi.h (4 is unused). */
export const IOCB_CMD = Object.freeze({
  PREAD: 0,
  PWRITE: 1,
  FSYNC: 2,
  FDSYNC: 3,
  POLL: 5,
  NOOP: 6,
  PREADV: 7,
  PWRITEV: 8,
} as const);
export type IocbCmdName = keyof typeof IOCB_CMD;
export type IocbCmd = (typeof IOCB_CMD)[IocbCmdName];

/** `aio_flags` bits: `IOCB_FLAG_RESFD` (signal `aio_resfd`), `IOCB_FLAG_IOPRIO` (use `aio_reqprio`). */
export const IOCB_FLAG = Object.freeze({
  RESFD: 1 << 0,
  IOPRIO: 1 << 1,
} as const);
export type IocbFlagName = keyof typeof IOCB_FLAG;
export type IocbFlag = (typeof IOCB_FLAG)[IocbFlagName];

/**
 * Per-request `aio_rw_flags` (`RWF_*` from include/uapi/linux/fs.h). NOAPPEND needs Linux
 * 6.9, ATOMIC 6.11, DONTCACHE 6.14; an older kernel answers EOPNOTSUPP (or EINVAL).
 */
export const RWF = Object.freeze({
  HIPRI: 0x01,
  DSYNC: 0x02,
  SYNC: 0x04,
  NOWAIT: 0x08,
  APPEND: 0x10,
  NOAPPEND: 0x20,
  ATOMIC: 0x40,
  DONTCACHE: 0x80,
} as const);
export type RwfName = keyof typeof RWF;
export type Rwf = (typeof RWF)[RwfName];
/** Every RWF bit this package knows. */
export const RWF_ALL = 0xff;

/** I/O priority classes (include/uapi/linux/ioprio.h). */
export const IOPRIO_CLASS = Object.freeze({
  NONE: 0,
  RT: 1,
  BE: 2,
  IDLE: 3,
} as const);
export type IoprioClassName = keyof typeof IOPRIO_CLASS;
export type IoprioClass = (typeof IOPRIO_CLASS)[IoprioClassName];
/** `IOPRIO_CLASS_SHIFT`: the class sits above 13 bits of level and hint. */
export const IOPRIO_CLASS_SHIFT = 13;
/** `IOPRIO_NR_LEVELS`: levels 0 (highest) to 7 for the RT and BE classes. */
export const IOPRIO_NR_LEVELS = 8;

/**
 * `IOPRIO_PRIO_VALUE(class, level)`: the value for `aio_reqprio` (with `IOCB_FLAG.IOPRIO`).
 * @throws {RangeError} `ERR_OUT_OF_RANGE` for an unknown class or a level outside 0-7.
 */
export function ioprioValue(cls: IoprioClass, level: number): number {
  validateInteger(cls, 'cls', 0, 3);
  validateInteger(level, 'level', 0, IOPRIO_NR_LEVELS - 1);
  if (cls === IOPRIO_CLASS.NONE && level !== 0) {
    throw new OutOfRangeError('level', '0 for IOPRIO_CLASS.NONE', level);
  }
  return (cls << IOPRIO_CLASS_SHIFT) | level;
}

/** eventfd2 flags. EFD_CLOEXEC = O_CLOEXEC and EFD_NONBLOCK = O_NONBLOCK on every supported arch. */
export const EFD = Object.freeze({
  SEMAPHORE: 0o1,
  NONBLOCK: 0o4000,
  CLOEXEC: 0o2000000,
} as const);
export type EfdName = keyof typeof EFD;
export type Efd = (typeof EFD)[EfdName];

/** Event bits for `IOCB_CMD_POLL` (`aio_buf` holds the mask): the generic `POLL*` values. */
export const POLL = Object.freeze({
  IN: 0x0001,
  PRI: 0x0002,
  OUT: 0x0004,
  ERR: 0x0008,
  HUP: 0x0010,
  NVAL: 0x0020,
  RDNORM: 0x0040,
  RDBAND: 0x0080,
  WRNORM: 0x0100,
  WRBAND: 0x0200,
  MSG: 0x0400,
  RDHUP: 0x2000,
} as const);
export type PollName = keyof typeof POLL;
/** Every POLL bit a request may ask for. */
export const POLL_ALL = 0x27ff;

/** `AIO_RING_MAGIC`: the magic the kernel writes into the ring header. */
export const AIO_RING_MAGIC = 0xa10a10a1;
/** `AIO_RING_INCOMPAT_FEATURES`: the incompatible features this package understands (none). */
export const AIO_RING_INCOMPAT_FEATURES = 0;

/** `IOV_MAX` (UIO_MAXIOV): the most iovecs one PREADV/PWRITEV may carry. */
export const IOV_MAX = 1024;

/** File type bits of `st_mode` (`S_IFMT` and friends). */
export const S_IF = Object.freeze({
  MT: 0o170000,
  SOCK: 0o140000,
  LNK: 0o120000,
  REG: 0o100000,
  BLK: 0o060000,
  DIR: 0o040000,
  CHR: 0o020000,
  FIFO: 0o010000,
} as const);

/** `statx` mask bits used here (include/uapi/linux/stat.h). */
export const STATX = Object.freeze({
  TYPE: 0x0001,
  MODE: 0x0002,
  SIZE: 0x0200,
  BLOCKS: 0x0400,
  BASIC_STATS: 0x07ff,
  DIOALIGN: 0x2000,
} as const);

/** `AT_EMPTY_PATH`: statx on the descriptor itself. */
export const AT_EMPTY_PATH = 0x1000;
