// O_DIRECT misalignment does not fail io_submit: the completion comes back with -EINVAL and
// nothing says which value was wrong. When a read or write on an O_DIRECT fd fails so, this
// finds the misaligned value and reports it (only on that error path: no cost otherwise).
import { constants } from 'node:fs';
import { type AioError, F, fcntl } from '@aio/bind';
import { baseAddress } from '@aio/bind/internal';
import { directAlignmentSync } from '../direct.js';
import { MisalignedError } from '../errors.js';
import { opcode } from '../opcodes.js';
import type { Op } from './op.js';

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
  const facts = opcode(op.cmd);
  if (!facts.transfer) return null;
  const syscall = facts.syscall;
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
