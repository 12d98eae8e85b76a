// Syscall numbers per architecture. Each row was checked against the kernel's own tables:
// arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h (arm64, riscv64,
// loongarch64), arch/powerpc/kernel/syscalls/syscall.tbl (64-bit rows) and
// arch/s390/kernel/syscalls/syscall.tbl. A wrong number would call some other syscall with
// our arguments, so an architecture missing here is refused, never guessed.
import { UnsupportedPlatformError } from './errors.js';

/** The syscalls @aio/bind makes through libc's `syscall(2)`. */
export interface SyscallNumbers {
  readonly io_setup: number;
  readonly io_destroy: number;
  readonly io_submit: number;
  readonly io_cancel: number;
  readonly io_getevents: number;
  readonly io_pgetevents: number;
  readonly eventfd2: number;
  readonly statx: number;
  /** Linux 6.5+; 451 in every table here (it was added to all architectures at once). */
  readonly cachestat: number;
}

const GENERIC: SyscallNumbers = Object.freeze({
  io_setup: 0,
  io_destroy: 1,
  io_submit: 2,
  io_cancel: 3,
  io_getevents: 4,
  eventfd2: 19,
  statx: 291,
  io_pgetevents: 292,
  cachestat: 451,
});

/**
 * Syscall numbers by `process.arch`. Only 64-bit architectures are listed: on 32-bit ones
 * io_getevents takes a 32-bit `time_t` timespec and the time64 variants have other numbers,
 * which this package does not bind (and koffi's 32-bit builds are not tested here).
 */
export const SYSCALL_TABLE: Readonly<Record<string, SyscallNumbers>> = Object.freeze({
  x64: Object.freeze({
    io_setup: 206,
    io_destroy: 207,
    io_getevents: 208,
    io_submit: 209,
    io_cancel: 210,
    eventfd2: 290,
    statx: 332,
    io_pgetevents: 333,
    cachestat: 451,
  }),
  arm64: GENERIC,
  riscv64: GENERIC,
  loong64: GENERIC,
  ppc64: Object.freeze({
    io_setup: 227,
    io_destroy: 228,
    io_getevents: 229,
    io_submit: 230,
    io_cancel: 231,
    eventfd2: 314,
    statx: 383,
    io_pgetevents: 388,
    cachestat: 451,
  }),
  s390x: Object.freeze({
    io_setup: 243,
    io_destroy: 244,
    io_getevents: 245,
    io_submit: 246,
    io_cancel: 247,
    eventfd2: 323,
    statx: 379,
    io_pgetevents: 382,
    cachestat: 451,
  }),
});

// Read once at load: code that later assigns process.arch must not make the binding call
// another architecture's syscall numbers.
const ARCH = process.arch;
const PLATFORM = process.platform;

/**
 * The syscall numbers of `arch` on `platform` (default: this process, as it was when the
 * package loaded).
 * @throws {UnsupportedPlatformError} code `ERR_AIO_UNSUPPORTED_PLATFORM` off Linux or on an
 * architecture missing from {@link SYSCALL_TABLE}.
 */
export function syscallNumbers(arch: string = ARCH, platform: string = PLATFORM): SyscallNumbers {
  if (platform !== 'linux') {
    throw new UnsupportedPlatformError(
      `Kernel AIO is a Linux interface; this process runs on ${platform}.`,
    );
  }
  const numbers = Object.hasOwn(SYSCALL_TABLE, arch) ? SYSCALL_TABLE[arch] : undefined;
  if (numbers === undefined) {
    throw new UnsupportedPlatformError(
      `No verified syscall numbers for architecture ${arch}; supported: ${Object.keys(SYSCALL_TABLE).join(', ')}.`,
    );
  }
  return numbers;
}
