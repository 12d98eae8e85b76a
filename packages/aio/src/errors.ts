// Every error class @aio/core adds to @aio/bind's: stable codes for its own conditions,
// AbortError as Node shapes it, and the O_DIRECT errors. Kernel errors stay @aio/bind's
// AioError, with the failing operation added (engine/failures.ts) instead of a wrapper.
// (Several public classes: one place to find every error a user can catch; errors.test.ts
// checks each against one table.)
import { AioError } from '@aio/bind';
import type { OpcodeSyscall } from './opcodes.js';

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

/** The filesystem refuses O_DIRECT (`code: 'ERR_AIO_DIRECT_UNSUPPORTED'`). */
export class DirectUnsupportedError extends Error {
  readonly code = 'ERR_AIO_DIRECT_UNSUPPORTED' as const;
  constructor(what: string, cause?: unknown) {
    super(
      `O_DIRECT is not supported for ${what}: use buffered I/O (direct: false)`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'DirectUnsupportedError';
  }
}

/** What must be aligned for O_DIRECT. */
export type AlignedField = 'buffer' | 'position' | 'length';

const WHAT: Record<AlignedField, string> = {
  buffer: 'buffer address',
  position: 'file position',
  length: 'length',
};

/**
 * An O_DIRECT request whose buffer address, position or length is not aligned
 * (`code: 'ERR_AIO_MISALIGNED'`; still an AioError with errno -22, the kernel's EINVAL).
 */
export class MisalignedError extends AioError {
  override readonly code = 'ERR_AIO_MISALIGNED' as const;
  override readonly hint: string;
  /** Which value is misaligned. */
  readonly field: AlignedField;
  /** The misaligned value (an address, offset or byte count). */
  readonly value: number | bigint;
  /** The alignment it needs. */
  readonly alignment: number;

  constructor(
    field: AlignedField,
    value: number | bigint,
    alignment: number,
    context: { syscall: OpcodeSyscall; fd: number; cause?: unknown },
  ) {
    super(EINVAL, context.syscall, { fd: context.fd });
    this.hint =
      `O_DIRECT needs the ${WHAT[field]} to be a multiple of ${alignment} bytes; ${value} is not. ` +
      'Use allocAligned() for buffers, or open the file with @aio/core open(path, flags, { direct: true }), which aligns for you.';
    this.message = `${context.syscall} ERR_AIO_MISALIGNED: ${this.hint}`;
    this.name = 'MisalignedError';
    this.field = field;
    this.value = value;
    this.alignment = alignment;
    if (context.cause !== undefined) Object.defineProperty(this, 'cause', { value: context.cause });
  }
}
