// The foreign surface, typed once and loaded lazily: the first syscall loads libc's symbols
// through koffi and declares one fixed-arity `syscall(2)` per argument shape (the variadic
// form costs twice as much per call and has no `.async`). Importing the package loads
// nothing but koffi itself, so the pure helpers work everywhere.
import koffi, { type LibraryHandle } from 'koffi';
import { type SyscallNumbers, syscallNumbers } from './arch.js';

type Native = ReturnType<LibraryHandle['func']>;

/** Every native entry point @aio/bind calls, with the syscall numbers of this architecture. */
export interface Ffi {
  readonly nr: SyscallNumbers;
  /** io_setup: long syscall(SYS_io_setup, unsigned nr_events, aio_context_t *ctxp) */
  readonly setup: Native;
  /** io_destroy: long syscall(SYS_io_destroy, aio_context_t ctx) */
  readonly destroy: Native;
  /** io_submit: long syscall(SYS_io_submit, aio_context_t ctx, long nr, struct iocb **iocbpp) */
  readonly submit: Native;
  /**
   * io_getevents: long syscall(SYS_io_getevents, aio_context_t ctx, long min_nr, long nr,
   *                            struct io_event *events, struct timespec *timeout)
   */
  readonly getevents: Native;
  /**
   * io_pgetevents: long syscall(SYS_io_pgetevents, aio_context_t ctx, long min_nr, long nr,
   *   struct io_event *events, struct timespec *timeout, const struct __aio_sigset *usig)
   */
  readonly pgetevents: Native;
  /** io_cancel: long syscall(SYS_io_cancel, aio_context_t ctx, struct iocb *iocb, struct io_event *result) */
  readonly cancel: Native;
  /** eventfd2: long syscall(SYS_eventfd2, unsigned int initval, int flags) */
  readonly eventfd2: Native;
  /** statx: long syscall(SYS_statx, int dirfd, const char *path, int flags, unsigned mask, struct statx *buf) */
  readonly statx: Native;
  /** ssize_t read(int fd, void *buf, size_t count): libc's, for the threadpool eventfd waiter. */
  readonly read: Native;
  /** int fcntl(int fd, int cmd, long arg): libc's (its syscall number differs per arch). */
  readonly fcntl: Native;
  /**
   * cachestat: long syscall(SYS_cachestat, unsigned int fd, struct cachestat_range *range,
   *                         struct cachestat *cstat, unsigned int flags)
   */
  readonly cachestat: Native;
  /** long syscall(SYS_io_submit, ...) again: a second declaration for `.async` calls (offload.ts). */
  readonly submitAsync: Native;
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout): for `.async` calls (offload.ts). */
  readonly poll: Native;
  /** int getpagesize(void) */
  readonly getpagesize: Native;
}

/**
 * libc and Node-API functions for the process-level machinery (the ring registry, thread
 * teardown, the koffi pin), loaded on first use. None of them is a syscall number guess.
 */
export interface Process {
  /** void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) */
  readonly mmap: Native;
  /** int munmap(void *addr, size_t length) */
  readonly munmap: Native;
  /** int mprotect(void *addr, size_t len, int prot) */
  readonly mprotect: Native;
  /** void *dlopen(const char *filename, int flags) */
  readonly dlopen: Native;
  /** void *dlsym(void *handle, const char *symbol) */
  readonly dlsym: Native;
  /** napi_status napi_add_env_cleanup_hook(napi_env env, void (*fun)(void *), void *arg) */
  readonly addCleanupHook: Native;
  /** napi_status napi_remove_env_cleanup_hook(napi_env env, void (*fun)(void *), void *arg) */
  readonly removeCleanupHook: Native;
  /** int pthread_spin_unlock(pthread_spinlock_t *lock): used as a `void (*)(void *)` hook. */
  readonly spinUnlock: Native;
  /** int close(int fd) */
  readonly close: Native;
}

let loaded: Ffi | undefined;

function load(): Ffi {
  const nr = syscallNumbers();
  // dlopen(NULL): the symbols node itself links against, glibc or musl alike.
  const libc = koffi.load(null);
  return Object.freeze({
    nr,
    setup: libc.func('long syscall(long, unsigned int, void *)'),
    destroy: libc.func('long syscall(long, uint64_t)'),
    submit: libc.func('long syscall(long, uint64_t, long, void *)'),
    getevents: libc.func('long syscall(long, uint64_t, long, long, void *, void *)'),
    pgetevents: libc.func('long syscall(long, uint64_t, long, long, void *, void *, void *)'),
    cancel: libc.func('long syscall(long, uint64_t, void *, void *)'),
    eventfd2: libc.func('long syscall(long, unsigned int, int)'),
    statx: libc.func('long syscall(long, int, void *, int, unsigned int, void *)'),
    read: libc.func('long read(int, void *, unsigned long)'),
    fcntl: libc.func('int fcntl(int, int, long)'),
    cachestat: libc.func('long syscall(long, unsigned int, void *, void *, unsigned int)'),
    // Declared with the rest, not when first needed: a koffi declaration made while a worker
    // is being terminated fails inside koffi in a way that aborts the process.
    submitAsync: libc.func('long syscall(long, uint64_t, long, void *)'),
    poll: libc.func('int poll(void *, unsigned long, int)'),
    getpagesize: libc.func('int getpagesize(void)'),
  });
}

let processLoaded: Process | undefined;

/** The process-level functions (mmap, dlopen, Node-API cleanup hooks), loaded on first use. */
export function processFfi(): Process {
  if (processLoaded !== undefined) return processLoaded;
  // dlopen(NULL) sees node's own exports (the Node-API functions) as well as libc's.
  const self = koffi.load(null);
  processLoaded = Object.freeze({
    mmap: self.func('void *mmap(void *, unsigned long, int, int, int, long)'),
    munmap: self.func('int munmap(void *, unsigned long)'),
    mprotect: self.func('int mprotect(void *, unsigned long, int)'),
    dlopen: self.func('void *dlopen(const char *, int)'),
    dlsym: self.func('void *dlsym(void *, const char *)'),
    addCleanupHook: self.func('int napi_add_env_cleanup_hook(void *, void *, void *)'),
    removeCleanupHook: self.func('int napi_remove_env_cleanup_hook(void *, void *, void *)'),
    spinUnlock: self.func('int pthread_spin_unlock(void *)'),
    close: self.func('int close(int)'),
  });
  return processLoaded;
}

/**
 * The native entry points, loaded on first use.
 * @throws {UnsupportedPlatformError} `ERR_AIO_UNSUPPORTED_PLATFORM` off Linux or on an
 * architecture without verified syscall numbers.
 */
export function ffi(): Ffi {
  loaded ??= load();
  return loaded;
}

/** errno of the last call made through koffi on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}

// Captured at load, like the intrinsics: a later `koffi.address = ...` by other code must not
// decide which address the kernel is given.
/** `koffi.address`: the address of a view's first byte, read from its internal slots. */
export const koffiAddress: (value: unknown) => bigint = koffi.address;
/** `koffi.view`: an ArrayBuffer over native memory (the ring). */
export const koffiView: (ptr: bigint, length: number) => ArrayBuffer = koffi.view as never;

/** koffi itself, for the few helpers that need it directly. */
export { koffi };
