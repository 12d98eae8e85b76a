// Errors shaped as node:fs shapes them where AioFile and the streams stand in for node's.

const EBADF = -9;

/** A FileHandle method on a closed handle: node:fs says EBADF with the method's syscall. */
export function closedError(syscall: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error('file closed');
  error.code = 'EBADF';
  error.errno = EBADF;
  error.syscall = syscall;
  return error;
}

/** Node's ERR_INVALID_STATE. */
export class InvalidStateError extends Error {
  readonly code = 'ERR_INVALID_STATE' as const;
  constructor(what: string) {
    super(`Invalid state: ${what}`);
    this.name = 'Error';
  }
}
