// @aio/bind: the raw Linux kernel AIO binding. This file only re-exports.
export {
  type AbiTarget,
  AIO_RING_HEADER,
  type Endianness,
  IO_EVENT_LAYOUT,
  IOCB_LAYOUT,
  type IocbLayout,
  type IoEventLayout,
  type IovecLayout,
  iocbLayout,
  iovecLayout,
  NATIVE_ABI,
  SIZEOF_IO_EVENT,
  SIZEOF_IOCB,
  SIZEOF_IOVEC,
  SIZEOF_TIMESPEC,
  type TimespecLayout,
  timespecLayout,
} from './abi.js';
export { SYSCALL_TABLE, type SyscallNumbers, syscallNumbers } from './arch.js';
export {
  type ArgumentErrorCode,
  InvalidArgTypeError,
  InvalidArgValueError,
  OutOfRangeError,
} from './arg-errors.js';
export { type CacheStat, cachestat } from './cachestat.js';
export { CompletionRing } from './completion-ring.js';
export {
  AIO_RING_INCOMPAT_FEATURES,
  AIO_RING_MAGIC,
  AT_EMPTY_PATH,
  EFD,
  type Efd,
  type EfdName,
  IOCB_CMD,
  IOCB_FLAG,
  IOPRIO_CLASS,
  IOPRIO_CLASS_SHIFT,
  IOPRIO_NR_LEVELS,
  IOV_MAX,
  type IocbCmd,
  type IocbCmdName,
  type IocbFlag,
  type IocbFlagName,
  type IoprioClass,
  type IoprioClassName,
  ioprioValue,
  POLL,
  POLL_ALL,
  type PollName,
  RWF,
  RWF_ALL,
  type Rwf,
  type RwfName,
  S_IF,
  STATX,
} from './constants.js';
export {
  AioError,
  type AioSyscall,
  errnoException,
  type HintContext,
  UnsupportedPlatformError,
} from './errors.js';
export { eventfd, eventfdRead, eventfdWait } from './eventfd.js';
export { decodeIoEvent, type IoEvent, IoEventArray } from './events.js';
export { FdPoller } from './fd-poller.js';
export { decodeIocb, encodeIocb, type IocbFields, type IocbInit } from './iocb.js';
export { IocbArray } from './iocb-array.js';
export { type AioLimits, aioLimits } from './limits.js';
export { addressOf, encodeIovecs } from './memory.js';
export {
  RingFormatError,
  type RingHeader,
  readRingHeader,
  reapRing,
} from './ring.js';
export {
  decodeStatx,
  F,
  fcntl,
  fileType,
  SIZEOF_STATX,
  STATX_OFFSETS,
  type StatxInfo,
  statx,
} from './stat.js';
export {
  io_cancel,
  io_destroy,
  io_getevents,
  io_pgetevents,
  io_setup,
  io_submit,
  type Timespec,
} from './syscalls.js';
export { AIO_RING, IO_EVENT, IOCB, IOVEC, TIMESPEC } from './types.js';
