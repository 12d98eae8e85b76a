// The one errno-to-error path (after Node's errnoException in lib/internal/errors.js): a raw
// call returns -1, koffi.errno() names the cause, errnoException() turns both into an AioError
// that carries code, errno, syscall and a hint saying what that errno means for that syscall.
import { getSystemErrorMap } from 'node:util';
import { type HintContext, hintFor } from './hints.js';

export type { HintContext } from './hints.js';

/**
 * The syscalls (and completed iocb commands) an AioError can name. 'read', 'write', 'readv',
 * 'writev', 'fsync' and 'fdatasync' are also the names @aio/core gives a request refused by a
 * check of its own that stands in for the kernel's (as node:fs names a FileHandle's errors).
 */
export type AioSyscall =
  | 'io_setup'
  | 'io_destroy'
  | 'io_submit'
  | 'io_getevents'
  | 'io_pgetevents'
  | 'io_cancel'
  | 'eventfd2'
  | 'statx'
  | 'cachestat'
  | 'fcntl'
  | 'read'
  | 'write'
  | 'readv'
  | 'writev'
  | 'fsync'
  | 'fdatasync'
  | 'poll'
  | 'IOCB_CMD_PREAD'
  | 'IOCB_CMD_PWRITE'
  | 'IOCB_CMD_FSYNC'
  | 'IOCB_CMD_FDSYNC'
  | 'IOCB_CMD_POLL'
  | 'IOCB_CMD_NOOP'
  | 'IOCB_CMD_PREADV'
  | 'IOCB_CMD_PWRITEV';

let errorMap: Map<number, [string, string]> | undefined;

function describeErrno(errno: number): [code: string, message: string] {
  errorMap ??= getSystemErrorMap();
  return errorMap.get(-errno) ?? [`E${errno}`, `unknown error ${errno}`];
}

/**
 * An error reported by the kernel, for a syscall or for a completed request (`res < 0`).
 *
 * `code` is the errno name ('EAGAIN'), `errno` the negative number as Node's own fs errors
 * carry it, `syscall` what failed, `hint` a sentence on what that errno means there.
 * `fd`, `command`, `position`, `length` and `index` are set where the failing request is known.
 */
export class AioError extends Error {
  /** The errno name, e.g. `'EAGAIN'`. */
  readonly code: string;
  /** The negative errno, as in Node's fs errors (`-11` for EAGAIN). */
  readonly errno: number;
  /** The syscall, or `IOCB_CMD_*` for an error delivered in a completion. */
  readonly syscall: AioSyscall;
  /** What this errno means for this syscall, in one or two sentences. */
  readonly hint: string;
  /** The file descriptor of the failing request, when known. */
  fd?: number;
  /** The command of the failing request (`'read'`, `'PREAD'`...), when known. */
  command?: string;
  /** The file offset of the failing request, when known. */
  position?: number | bigint;
  /** The byte length of the failing request, when known. */
  length?: number;
  /** The index of the failing iocb in the array given to io_submit, when known. */
  index?: number;

  constructor(errno: number, syscall: AioSyscall, context: HintContext = {}) {
    const [code, description] = describeErrno(errno);
    const hint = hintFor(syscall, code, context) ?? `${description}.`;
    super(`${syscall} ${code}: ${hint}`);
    this.name = 'AioError';
    this.code = code;
    this.errno = -errno;
    this.syscall = syscall;
    this.hint = hint;
    if (context.fd !== undefined) this.fd = context.fd;
    if (context.index !== undefined) this.index = context.index;
  }
}

/**
 * Builds the {@link AioError} for a positive `errno` from `syscall`.
 * @param errno the positive errno (`koffi.errno()` after a -1, or `-res` of a completion)
 */
export function errnoException(
  errno: number,
  syscall: AioSyscall,
  context?: HintContext,
): AioError {
  const error = new AioError(errno, syscall, context);
  Error.captureStackTrace?.(error, errnoException);
  return error;
}

/** Thrown when kernel AIO cannot be used from this process at all (not Linux, unknown arch). */
export class UnsupportedPlatformError extends Error {
  readonly code = 'ERR_AIO_UNSUPPORTED_PLATFORM' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPlatformError';
  }
}
