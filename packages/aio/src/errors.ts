// Errors @aio/core adds to @aio/bind's: stable codes for its own conditions, AbortError as
// Node shapes it, and the operation context added to kernel errors (instead of wrapping them).
import { AioError, errnoException } from '@aio/bind';
import { diagnoseEinval } from './misalign.js';
import type { Op } from './op.js';

const EINVAL = 22;

export { AioError };

/** Error codes @aio/core itself throws (besides Node's argument codes and errno names). */
export type AioCoreErrorCode =
  | 'ERR_AIO_CLOSED'
  | 'ERR_AIO_REQUEST_BUSY'
  | 'ERR_AIO_REENTRANT'
  | 'ABORT_ERR'
  | 'ERR_AIO_MISALIGNED'
  | 'ERR_AIO_DIRECT_UNSUPPORTED';

/** The context was closed: no new work is accepted (`code: 'ERR_AIO_CLOSED'`). */
export class ContextClosedError extends Error {
  readonly code = 'ERR_AIO_CLOSED' as const;
  constructor(what = 'The AioContext is closed') {
    super(what);
    this.name = 'ContextClosedError';
  }
}

/** A request was changed or reused while queued or in flight (`code: 'ERR_AIO_REQUEST_BUSY'`). */
export class RequestBusyError extends Error {
  readonly code = 'ERR_AIO_REQUEST_BUSY' as const;
  constructor(state: string) {
    super(`The request is ${state}: it can be changed or run again once it is done`);
    this.name = 'RequestBusyError';
  }
}

/**
 * A blocking or synchronous method (closeSync, submit, getEvents) was called from code the
 * context itself was running (a callback of its own), where it could only deadlock or corrupt
 * the work in progress (`code: 'ERR_AIO_REENTRANT'`). Call it after the current call returns.
 */
export class ReentrantCallError extends Error {
  readonly code = 'ERR_AIO_REENTRANT' as const;
  constructor(what: string) {
    super(`${what} cannot run while the AioContext is processing requests; call it afterwards`);
    this.name = 'ReentrantCallError';
  }
}

/** Rejection of an aborted request, shaped like Node's own (`name: 'AbortError'`, `code: 'ABORT_ERR'`). */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR' as const;
  constructor(reason?: unknown) {
    super('The operation was aborted', reason === undefined ? undefined : { cause: reason });
    this.name = 'AbortError';
  }
}

const COMMAND_NAMES = ['read', 'write', 'fsync', 'fdsync', '', 'poll', 'noop', 'readv', 'writev'];
const SYSCALLS = [
  'IOCB_CMD_PREAD',
  'IOCB_CMD_PWRITE',
  'IOCB_CMD_FSYNC',
  'IOCB_CMD_FDSYNC',
  'IOCB_CMD_NOOP',
  'IOCB_CMD_POLL',
  'IOCB_CMD_NOOP',
  'IOCB_CMD_PREADV',
  'IOCB_CMD_PWRITEV',
] as const;

/** Adds what the failing request was to a kernel error (fd, command, position, length). */
export function withOperation(error: AioError, op: Op): AioError {
  error.fd = op.fd;
  error.command = COMMAND_NAMES[op.cmd];
  if (op.cmd <= 1 || op.cmd >= 7) {
    error.position = op.bigPosition ?? op.position;
    error.length = op.length;
  }
  return error;
}

/**
 * The error for a completion whose `res` is negative. An EINVAL of a read or write on an
 * O_DIRECT fd is explained as a MisalignedError when a value is misaligned.
 */
export function completionError(res: number, op: Op): AioError {
  const syscall = SYSCALLS[op.cmd] ?? 'IOCB_CMD_NOOP';
  const error = withOperation(errnoException(-res, syscall, { fd: op.fd }), op);
  if (res !== -EINVAL) return error;
  const misaligned = diagnoseEinval(op, error);
  return misaligned === null ? error : withOperation(misaligned, op);
}

/** The error for a request the kernel refused at io_submit (or our guard refused before it). */
export function submitError(errno: number, op: Op): AioError {
  return withOperation(errnoException(errno, 'io_submit', { fd: op.fd }), op);
}
