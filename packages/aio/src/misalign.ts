// O_DIRECT misalignment does not fail io_submit: the completion comes back with -EINVAL and
// nothing says which value was wrong. When a read or write on an O_DIRECT fd fails so, this
// finds the misaligned value and reports it (only on that error path: no cost otherwise).
import { constants } from 'node:fs';
import { AioError, addressOf, F, fcntl, IOCB_CMD } from '@aio/bind';
import { directAlignmentSync } from './direct.js';
import type { Op } from './op.js';

const EINVAL = 22;
const SYSCALLS = {
  [IOCB_CMD.PREAD]: 'IOCB_CMD_PREAD',
  [IOCB_CMD.PWRITE]: 'IOCB_CMD_PWRITE',
  [IOCB_CMD.PREADV]: 'IOCB_CMD_PREADV',
  [IOCB_CMD.PWRITEV]: 'IOCB_CMD_PWRITEV',
} as const;

type DirectSyscall = (typeof SYSCALLS)[keyof typeof SYSCALLS];

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
    context: { syscall: DirectSyscall; fd: number; cause?: unknown },
  ) {
    super(EINVAL, context.syscall, { fd: context.fd });
    const hint =
      `O_DIRECT needs the ${WHAT[field]} to be a multiple of ${alignment} bytes; ${value} is not. ` +
      'Use allocAligned() for buffers, or open the file with @aio/core open(path, flags, { direct: true }), which aligns for you.';
    const self = this as { -readonly [K in 'code' | 'hint' | 'message']: string };
    self.code = 'ERR_AIO_MISALIGNED';
    self.hint = hint;
    self.message = `${context.syscall} ERR_AIO_MISALIGNED: ${hint}`;
    this.name = 'MisalignedError';
    this.field = field;
    this.value = value;
    this.alignment = alignment;
    if (context.cause !== undefined) Object.defineProperty(this, 'cause', { value: context.cause });
  }
}

function buffersOf(op: Op): readonly ArrayBufferView[] {
  return op.buffer !== null ? [op.buffer] : (op.buffers ?? []);
}

/** The MisalignedError explaining an EINVAL completion of `op`, or null when that is not it. */
export function diagnoseEinval(op: Op, cause: AioError): MisalignedError | null {
  const syscall = SYSCALLS[op.cmd as keyof typeof SYSCALLS];
  if (syscall === undefined) return null;
  let alignment: { memory: number; offset: number };
  try {
    if ((fcntl(op.fd, F.GETFL) & constants.O_DIRECT) === 0) return null;
    alignment = directAlignmentSync(op.fd);
  } catch {
    return null; // the fd is gone, or O_DIRECT unsupported: keep the kernel's EINVAL
  }
  const context = { syscall, fd: op.fd, cause };
  const position = op.bigPosition ?? op.position;
  if (BigInt(position) % BigInt(alignment.offset) !== 0n) {
    return new MisalignedError('position', position, alignment.offset, context);
  }
  for (const buffer of buffersOf(op)) {
    const address = addressOf(buffer);
    if (address % BigInt(alignment.memory) !== 0n) {
      return new MisalignedError('buffer', address, alignment.memory, context);
    }
    if (buffer.byteLength % alignment.offset !== 0) {
      return new MisalignedError('length', buffer.byteLength, alignment.offset, context);
    }
  }
  return null;
}
