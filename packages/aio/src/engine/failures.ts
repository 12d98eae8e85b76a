// The errors of requests: a kernel error (from io_submit or in a completion) gets the failing
// operation added (fd, command, position, length) instead of a wrapper, and an EINVAL of an
// O_DIRECT transfer is explained as the MisalignedError it is.
import { type AioError, type AioSyscall, errnoException } from '@aio/bind';
import { opcode } from '../opcodes.js';
import { diagnoseEinval } from './misalign.js';
import type { Op } from './op.js';

const EINVAL = 22;

/** Adds what the failing request was to a kernel error (fd, command, position, length). */
export function withOperation(error: AioError, op: Op): AioError {
  const facts = opcode(op.cmd);
  error.fd = op.fd;
  error.command = facts.command;
  if (facts.transfer) {
    error.position = op.bigPosition ?? op.position;
    error.length = op.length;
  }
  return error;
}

/**
 * The error for a completion whose `res` is negative (`syscall` is the iocb's opcode). An
 * EINVAL of a read or write on an O_DIRECT fd is explained as a MisalignedError when a value
 * is misaligned.
 */
export function completionError(res: number, op: Op): AioError {
  const error = withOperation(errnoException(-res, opcode(op.cmd).syscall, { fd: op.fd }), op);
  if (res !== -EINVAL) return error;
  const misaligned = diagnoseEinval(op, error);
  return misaligned === null ? error : withOperation(misaligned, op);
}

/** The error for a request the kernel refused at io_submit. */
export function submitError(errno: number, op: Op): AioError {
  return withOperation(errnoException(errno, 'io_submit', { fd: op.fd }), op);
}

/**
 * The error for a request refused before the kernel saw it, by a check of ours that stands in
 * for the kernel's (a FileHandle closed since the call): named after the operation, as node:fs
 * names a FileHandle's errors ('read', 'write', 'fsync').
 */
export function refusedError(errno: number, op: Op): AioError {
  return withOperation(errnoException(errno, refusedSyscall(op), { fd: op.fd }), op);
}

/** The name refusedError() gives `op`'s operation: node:fs's name for it (opcodes.ts). */
export function refusedSyscall(op: Op): AioSyscall {
  return opcode(op.cmd).operation;
}
