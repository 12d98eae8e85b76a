// O_DIRECT misalignment does not fail io_submit: the completion comes back with -EINVAL and
// nothing says which value was wrong. When a read or write on an O_DIRECT fd fails so, this
// finds the misaligned value and reports it (only on that error path: no cost otherwise).
import { constants } from 'node:fs';
import { AioError, F, fcntl, IOCB_CMD } from '@aio/bind';
import { baseAddress } from '@aio/bind/internal';
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

/** The [address, length] of each buffer of `op` (from its snapshot, never the caller's views). */
function partsOf(op: Op): Array<[number, number]> {
  if (op.ab !== null) return [[baseAddress(op.ab) + op.byteOffset, op.length]];
  const parts: Array<[number, number]> = [];
  const abs = op.abs ?? [];
  for (let i = 0; i < abs.length; i++) {
    const length = op.lengths![i]!;
    parts.push([length === 0 ? 0 : baseAddress(abs[i]!) + op.offsets![i]!, length]);
  }
  return parts;
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
  for (const [address, length] of partsOf(op)) {
    if (address % alignment.memory !== 0) {
      return new MisalignedError('buffer', BigInt(address), alignment.memory, context);
    }
    if (length % alignment.offset !== 0) {
      return new MisalignedError('length', length, alignment.offset, context);
    }
  }
  return null;
}
