// An Op into its iocb slot: command, fd, memory, offset and the flags that make it safe.
import { addressOf, IOCB_CMD, type IocbArray, RWF } from '@aio/bind';
import { FD_BLOCKING, FD_INLINE } from './fd-guard.js';
import type { Op } from './op.js';

/**
 * Writes `op` into iocb `slot`; `kind` is its fd's FD_* kind (fd-guard.ts), `efd` the
 * context's eventfd. Sets op.silent when the iocb will not signal the eventfd.
 */
export function encodeOp(t: IocbArray, op: Op, slot: number, kind: number, efd: number): void {
  const cmd = op.cmd;
  op.silent = false;
  const transfers = cmd === IOCB_CMD.PREAD || cmd === IOCB_CMD.PWRITE;
  const vectored = cmd === IOCB_CMD.PREADV || cmd === IOCB_CMD.PWRITEV;
  // aio_data is the slot: the completion finds its Op with it.
  // The buffer was checked when the request was made; its whole length is transferred.
  if (transfers) t.prepareView(slot, cmd, op.fd, op.buffer!, op.position, slot);
  else if (vectored)
    t.prepare(slot, cmd, op.fd, addressOf(op.iov!), op.buffers!.length, op.position, slot);
  else if (cmd === IOCB_CMD.POLL) t.prepare(slot, cmd, op.fd, BigInt(op.events), 0, 0, slot);
  else t.prepare(slot, cmd, op.fd, 0n, 0, 0, slot);
  if (op.bigPosition !== null) t.setOffset(slot, op.bigPosition);
  let rwFlags = op.rwFlags;
  // A pipe, socket or device read would run (and block) inside io_submit: never let it wait.
  if ((transfers || vectored) && kind === FD_BLOCKING) rwFlags |= RWF.NOWAIT;
  if (rwFlags !== 0) t.setRwFlags(slot, rwFlags);
  if (op.ioprio >= 0) t.setPriority(slot, op.ioprio);
  if (op.resfd >= 0) t.setResfd(slot, op.resfd);
  else if ((transfers || vectored) && kind === FD_INLINE) op.silent = true;
  else t.setResfd(slot, efd);
}
