// Byte layouts of the kernel AIO ABI (include/uapi/linux/aio_abi.h), computed for a given byte
// order and word size. Pure data: nothing here touches koffi or the kernel, so the layouts of
// other machines can be computed (and tested) on this one.
import { endianness } from 'node:os';

/** Byte order of a target ABI. */
export type Endianness = 'LE' | 'BE';

/** The two facts that change the AIO structs between Linux machines. */
export interface AbiTarget {
  readonly endianness: Endianness;
  readonly wordBits: 32 | 64;
}

/**
 * Byte offsets of every `struct iocb` field, as the kernel reads them:
 *
 * ```c
 * struct iocb {
 *   __u64 aio_data;
 *   __u32 aio_key;  __kernel_rwf_t aio_rw_flags;   // swapped on big-endian (PADDED)
 *   __u16 aio_lio_opcode; __s16 aio_reqprio; __u32 aio_fildes;
 *   __u64 aio_buf; __u64 aio_nbytes; __s64 aio_offset;
 *   __u64 aio_reserved2;
 *   __u32 aio_flags; __u32 aio_resfd;
 * }; // 64 bytes
 * ```
 */
export interface IocbLayout extends AbiTarget {
  readonly size: 64;
  readonly aio_data: 0;
  readonly aio_key: number;
  readonly aio_rw_flags: number;
  readonly aio_lio_opcode: 16;
  readonly aio_reqprio: 18;
  readonly aio_fildes: 20;
  readonly aio_buf: 24;
  readonly aio_nbytes: 32;
  readonly aio_offset: 40;
  readonly aio_reserved2: 48;
  readonly aio_flags: 56;
  readonly aio_resfd: 60;
  /**
   * Where a native pointer stored in a 64-bit field (aio_data, aio_buf) begins inside its
   * 8 bytes. The kernel always reads the full __u64; on a 32-bit big-endian machine the
   * pointer is its low half, 4 bytes in (libaio's PADDEDptr).
   */
  readonly pointerInSlot: 0 | 4;
}

/** `struct io_event { __u64 data; __u64 obj; __s64 res; __s64 res2; }`: the same on every ABI. */
export interface IoEventLayout {
  readonly size: 32;
  readonly data: 0;
  readonly obj: 8;
  readonly res: 16;
  readonly res2: 24;
}

/** `struct iovec { void *iov_base; size_t iov_len; }`: two words. */
export interface IovecLayout {
  readonly size: 8 | 16;
  readonly iov_base: 0;
  readonly iov_len: 4 | 8;
}

/**
 * `struct timespec { time_t tv_sec; long tv_nsec; }` as io_getevents takes it. On 32-bit
 * machines io_getevents takes the old 32-bit `time_t` form (io_pgetevents_time64 is separate).
 */
export interface TimespecLayout {
  readonly size: 8 | 16;
  readonly tv_sec: 0;
  readonly tv_nsec: 4 | 8;
}

/** The aio_ring header the kernel maps at the context address: eight `unsigned` fields. */
export const AIO_RING_HEADER = {
  size: 32,
  id: 0,
  nr: 1,
  head: 2,
  tail: 3,
  magic: 4,
  compat_features: 5,
  incompat_features: 6,
  header_length: 7,
} as const;

const WORD64_ARCHES = new Set(['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el']);

/** The ABI of the running process. */
export const NATIVE_ABI: AbiTarget = Object.freeze({
  endianness: endianness(),
  wordBits: WORD64_ARCHES.has(process.arch) ? 64 : 32,
});

/** Offsets of `struct iocb` for `target` (default: this machine). */
export function iocbLayout(target: AbiTarget = NATIVE_ABI): IocbLayout {
  const little = target.endianness === 'LE';
  return Object.freeze({
    endianness: target.endianness,
    wordBits: target.wordBits,
    size: 64,
    aio_data: 0,
    // PADDED(aio_key, aio_rw_flags): the key comes first in memory on little-endian only.
    aio_key: little ? 8 : 12,
    aio_rw_flags: little ? 12 : 8,
    aio_lio_opcode: 16,
    aio_reqprio: 18,
    aio_fildes: 20,
    aio_buf: 24,
    aio_nbytes: 32,
    aio_offset: 40,
    aio_reserved2: 48,
    aio_flags: 56,
    aio_resfd: 60,
    pointerInSlot: target.wordBits === 32 && !little ? 4 : 0,
  });
}

/** Layout of `struct io_event` (identical on all ABIs). */
export const IO_EVENT_LAYOUT: IoEventLayout = Object.freeze({
  size: 32,
  data: 0,
  obj: 8,
  res: 16,
  res2: 24,
});

/** Layout of `struct iovec` for `target`. */
export function iovecLayout(target: AbiTarget = NATIVE_ABI): IovecLayout {
  return target.wordBits === 64
    ? { size: 16, iov_base: 0, iov_len: 8 }
    : { size: 8, iov_base: 0, iov_len: 4 };
}

/** Layout of the `struct timespec` io_getevents takes on `target`. */
export function timespecLayout(target: AbiTarget = NATIVE_ABI): TimespecLayout {
  return target.wordBits === 64
    ? { size: 16, tv_sec: 0, tv_nsec: 8 }
    : { size: 8, tv_sec: 0, tv_nsec: 4 };
}

/** The native iocb layout, computed once. */
export const IOCB_LAYOUT: IocbLayout = iocbLayout();

/** `sizeof(struct iocb)`: 64 on every ABI. */
export const SIZEOF_IOCB = 64;
/** `sizeof(struct io_event)`: 32 on every ABI. */
export const SIZEOF_IO_EVENT = 32;
/** `sizeof(struct iovec)` on this machine (16 on 64-bit). */
export const SIZEOF_IOVEC: number = iovecLayout().size;
/** `sizeof(struct timespec)` as io_getevents takes it on this machine (16 on 64-bit). */
export const SIZEOF_TIMESPEC: number = timespecLayout().size;
