// The facts about each kernel AIO command that more than one part of @aio/core needs, in one
// table keyed by IOCB_CMD: its name in @aio/core's API and errors, the opcode name errors of
// its completion carry as `syscall`, and how it moves data. Nothing else spells these out.
import { type AioSyscall, IOCB_CMD, type IocbCmd } from '@aio/bind';

/** The opcode names AioError.syscall takes for errors delivered in a completion. */
export type OpcodeSyscall = Extract<AioSyscall, `IOCB_CMD_${string}`>;

/** The command names of AioRequest.command and of AioError.command. */
export type CommandName =
  | 'read'
  | 'write'
  | 'readv'
  | 'writev'
  | 'fsync'
  | 'fdsync'
  | 'poll'
  | 'noop';

export interface OpcodeFacts {
  readonly cmd: IocbCmd;
  readonly command: CommandName;
  /** The `syscall` of an error its completion reports (the iocb's opcode, as libaio names it). */
  readonly syscall: OpcodeSyscall;
  /**
   * node:fs's name for the operation, the `syscall` of an error from a check of @aio/core's
   * own that stands in for the kernel's (as node:fs names a FileHandle's errors).
   */
  readonly operation: AioSyscall;
  /** Moves bytes between memory and a file position (has a buffer, position and length). */
  readonly transfer: boolean;
  /** Moves bytes from the file into memory. */
  readonly reads: boolean;
  /** Its memory is a list of buffers (an iovec array). */
  readonly vector: boolean;
}

function facts(
  cmd: IocbCmd,
  command: CommandName,
  syscall: OpcodeSyscall,
  operation: AioSyscall,
  transfer: boolean,
  reads: boolean,
  vector: boolean,
): OpcodeFacts {
  return Object.freeze({ cmd, command, syscall, operation, transfer, reads, vector });
}

/** Every command @aio/core submits, by IOCB_CMD value. */
export const OPCODES: Readonly<Record<IocbCmd, OpcodeFacts>> = Object.freeze({
  [IOCB_CMD.PREAD]: facts(IOCB_CMD.PREAD, 'read', 'IOCB_CMD_PREAD', 'read', true, true, false),
  [IOCB_CMD.PWRITE]: facts(
    IOCB_CMD.PWRITE,
    'write',
    'IOCB_CMD_PWRITE',
    'write',
    true,
    false,
    false,
  ),
  [IOCB_CMD.FSYNC]: facts(IOCB_CMD.FSYNC, 'fsync', 'IOCB_CMD_FSYNC', 'fsync', false, false, false),
  [IOCB_CMD.FDSYNC]: facts(
    IOCB_CMD.FDSYNC,
    'fdsync',
    'IOCB_CMD_FDSYNC',
    'fdatasync',
    false,
    false,
    false,
  ),
  [IOCB_CMD.POLL]: facts(IOCB_CMD.POLL, 'poll', 'IOCB_CMD_POLL', 'poll', false, false, false),
  [IOCB_CMD.NOOP]: facts(IOCB_CMD.NOOP, 'noop', 'IOCB_CMD_NOOP', 'io_submit', false, false, false),
  [IOCB_CMD.PREADV]: facts(IOCB_CMD.PREADV, 'readv', 'IOCB_CMD_PREADV', 'readv', true, true, true),
  [IOCB_CMD.PWRITEV]: facts(
    IOCB_CMD.PWRITEV,
    'writev',
    'IOCB_CMD_PWRITEV',
    'writev',
    true,
    false,
    true,
  ),
});

/** The facts of `cmd` (an IOCB_CMD value @aio/core built). */
export function opcode(cmd: number): OpcodeFacts {
  return OPCODES[cmd as IocbCmd];
}

/** True for reads and writes (they have a buffer, a position and a length). */
export function isTransfer(cmd: number): boolean {
  return OPCODES[cmd as IocbCmd].transfer;
}

/** True for PREAD and PREADV. */
export function isRead(cmd: number): boolean {
  return OPCODES[cmd as IocbCmd].reads;
}
