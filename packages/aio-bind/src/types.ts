// The kernel structs as koffi types, for users who drive koffi directly. They are anonymous:
// koffi's type names are process-global, so a named struct defined twice (the ESM and CJS
// builds in one process, or two jest files) would throw "Duplicate type name".

import type { TypeObject } from 'koffi';
import { NATIVE_ABI } from './abi.js';
import { koffi } from './ffi.js';

const little = NATIVE_ABI.endianness === 'LE';

/**
 * `struct iocb` (include/uapi/linux/aio_abi.h), with aio_key / aio_rw_flags in this machine's
 * order. 64 bytes.
 */
export const IOCB: TypeObject = koffi.struct({
  aio_data: 'uint64_t', // __u64 aio_data;
  ...(little
    ? { aio_key: 'uint32_t', aio_rw_flags: 'int32_t' } // __u32 aio_key; __kernel_rwf_t aio_rw_flags;
    : { aio_rw_flags: 'int32_t', aio_key: 'uint32_t' }), // PADDED() swaps them on big-endian
  aio_lio_opcode: 'uint16_t', // __u16 aio_lio_opcode;
  aio_reqprio: 'int16_t', // __s16 aio_reqprio;
  aio_fildes: 'uint32_t', // __u32 aio_fildes;
  aio_buf: 'uint64_t', // __u64 aio_buf;
  aio_nbytes: 'uint64_t', // __u64 aio_nbytes;
  aio_offset: 'int64_t', // __s64 aio_offset;
  aio_reserved2: 'uint64_t', // __u64 aio_reserved2;
  aio_flags: 'uint32_t', // __u32 aio_flags;
  aio_resfd: 'uint32_t', // __u32 aio_resfd;
});

/** `struct io_event { __u64 data; __u64 obj; __s64 res; __s64 res2; }`: 32 bytes. */
export const IO_EVENT: TypeObject = koffi.struct({
  data: 'uint64_t',
  obj: 'uint64_t',
  res: 'int64_t',
  res2: 'int64_t',
});

/** `struct iovec { void *iov_base; size_t iov_len; }`. */
export const IOVEC: TypeObject = koffi.struct({
  iov_base: 'void *',
  iov_len: 'size_t',
});

/** `struct timespec { time_t tv_sec; long tv_nsec; }` (`__kernel_timespec` on 64-bit). */
export const TIMESPEC: TypeObject = koffi.struct({
  tv_sec: 'long',
  tv_nsec: 'long',
});

/**
 * The header of `struct aio_ring` (fs/aio.c), mapped at the context address. The
 * `struct io_event io_events[]` that follows is a flexible array koffi cannot describe:
 * read it with {@link reapRing} or `koffi.view(ctx + 32n, nr * 32)`.
 */
export const AIO_RING: TypeObject = koffi.struct({
  id: 'unsigned int', // kernel internal index number
  nr: 'unsigned int', // number of io_events
  head: 'unsigned int', // written by user space
  tail: 'unsigned int', // written by the kernel
  magic: 'unsigned int',
  compat_features: 'unsigned int',
  incompat_features: 'unsigned int',
  header_length: 'unsigned int', // size of aio_ring
});
