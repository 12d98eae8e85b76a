// The few libc calls the bench needs beyond node:fs (posix_fadvise, mmap + mincore, and the
// io_uring_setup probe), through the koffi that @aio/bind depends on: the bench declares no
// koffi of its own, so there is one copy in the process (and the analysis can hook the very
// functions @aio/bind calls, see hooks.ts).
import { closeSync } from 'node:fs';
import { createRequire } from 'node:module';

type Native = (...args: unknown[]) => unknown;

/** The part of koffi's API the bench uses. */
export interface Koffi {
  load(path: string | null): { func(declaration: string): Native };
  errno(): number;
  node: { poll: (...args: unknown[]) => unknown };
}

let koffi: Koffi | undefined;

/** koffi as @aio/bind resolves it (the same module instance @aio/bind's calls go through). */
export function bindKoffi(): Koffi {
  if (koffi === undefined) {
    const bind = createRequire(import.meta.url).resolve('@aio/bind');
    koffi = createRequire(bind)('koffi') as Koffi;
  }
  return koffi;
}

interface Libc {
  /** int posix_fadvise(int fd, off_t offset, off_t len, int advice): returns the errno. */
  fadvise: Native;
  /** void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) */
  mmap: Native;
  /** int mincore(void *addr, size_t length, unsigned char *vec) */
  mincore: Native;
  /** int munmap(void *addr, size_t length) */
  munmap: Native;
  /** long syscall(long number, unsigned entries, struct io_uring_params *p): io_uring_setup */
  uringSetup: Native;
}

let libc: Libc | undefined;

function loadLibc(): Libc {
  if (libc !== undefined) return libc;
  const lib = bindKoffi().load(null);
  libc = {
    fadvise: lib.func('int posix_fadvise(int, long, long, int)'),
    mmap: lib.func('void *mmap(void *, size_t, int, int, int, long)'),
    mincore: lib.func('int mincore(void *, size_t, uint8_t *)'),
    munmap: lib.func('int munmap(void *, size_t)'),
    uringSetup: lib.func('long syscall(long, unsigned int, void *)'),
  };
  return libc;
}

const POSIX_FADV_DONTNEED = 4;
const PROT_READ = 1;
const MAP_SHARED = 1;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;
const PAGE = 4096;

/** Drops the clean page-cache pages of `fd` (dirty ones stay: sync first). */
export function fadviseDontNeed(fd: number): void {
  const error = loadLibc().fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) as number;
  if (error !== 0) throw new Error(`posix_fadvise(DONTNEED) failed: errno ${error}`);
}

/** Pages of the first `size` bytes of `fd` that are in the page cache (mincore over an mmap). */
export function residentPages(fd: number, size: number): number {
  if (size === 0) return 0;
  const c = loadLibc();
  const map = c.mmap(null, size, PROT_READ, MAP_SHARED, fd, 0) as bigint;
  if (map === MAP_FAILED) throw new Error(`mmap failed: errno ${bindKoffi().errno()}`);
  const vector = Buffer.alloc(Math.ceil(size / PAGE));
  try {
    if ((c.mincore(map, size, vector) as number) !== 0)
      throw new Error(`mincore failed: errno ${bindKoffi().errno()}`);
  } finally {
    c.munmap(map, size);
  }
  let resident = 0;
  for (let i = 0; i < vector.length; i++) resident += vector[i]! & 1;
  return resident;
}

/** io_uring_setup is 425 on x86_64 and in the generic table (arm64, riscv64) alike. */
const SYS_IO_URING_SETUP = 425;

/**
 * Whether this process may create an io_uring: null when it can, else the reason (the sysctl
 * kernel.io_uring_disabled, or the errno of io_uring_setup, e.g. a seccomp filter's EPERM).
 */
export function ioUringRefusal(disabledSysctl: string | null): string | null {
  if (disabledSysctl !== null && disabledSysctl.trim() !== '0')
    return `/proc/sys/kernel/io_uring_disabled is ${disabledSysctl.trim()}`;
  const params = Buffer.alloc(120); // struct io_uring_params, all zero: the kernel fills it in
  const fd = Number(loadLibc().uringSetup(SYS_IO_URING_SETUP, 4, params));
  if (fd < 0)
    return `io_uring_setup (syscall ${SYS_IO_URING_SETUP}) failed: errno ${bindKoffi().errno()}`;
  closeSync(fd);
  return null;
}
