// An Op into its iocb slot for its current phase: the command (or a readiness POLL), fd, the
// memory left to transfer, the offset, and the flags the route chose.
import { IOCB_CMD, type IocbArray, POLL, RWF } from '@aio/bind';
import { type Op, PHASE_KERNEL_LANE, PHASE_POLL } from './op.js';
import { encodeIovecs } from './snapshot.js';

const SIZEOF_IOVEC = 16;

function isRead(cmd: number): boolean {
  return cmd === IOCB_CMD.PREAD || cmd === IOCB_CMD.PREADV;
}

/** Writes `op` into iocb `slot`; `efd` is the context's eventfd. */
export function encodeOp(t: IocbArray, op: Op, slot: number, efd: number): void {
  const cmd = op.cmd;
  if (op.phase === PHASE_POLL) {
    // Readiness first: the transfer itself follows once the fd is readable / writable.
    t.prepare(slot, IOCB_CMD.POLL, op.fd, BigInt(isRead(cmd) ? POLL.IN : POLL.OUT), 0, 0, slot);
    t.setResfd(slot, efd);
    return;
  }
  const done = op.done;
  // aio_data is the slot: the completion finds its Op with it.
  if (cmd === IOCB_CMD.PREAD || cmd === IOCB_CMD.PWRITE) {
    const rest = op.length - done;
    t.prepareMemory(slot, cmd, op.fd, op.ab!, op.byteOffset + done, rest, op.position + done, slot);
  } else if (cmd === IOCB_CMD.PREADV || cmd === IOCB_CMD.PWRITEV) {
    // After a partial phase the iovecs of what is left; the array is kept on the op (pinned).
    if (done > 0) op.iov = encodeIovecs(op.abs!, op.offsets!, op.lengths!, done);
    const iov = op.iov!;
    const count = iov.byteLength / SIZEOF_IOVEC;
    t.prepareMemory(slot, cmd, op.fd, iov.buffer, iov.byteOffset, count, op.position + done, slot);
  } else if (cmd === IOCB_CMD.POLL) {
    t.prepare(slot, cmd, op.fd, BigInt(op.events), 0, 0, slot);
  } else {
    t.prepare(slot, cmd, op.fd, 0n, 0, 0, slot);
  }
  if (op.bigPosition !== null) t.setOffset(slot, op.bigPosition + BigInt(done));
  const nowait = op.nowait && op.phase !== PHASE_KERNEL_LANE;
  const rwFlags = op.rwFlags | (nowait ? RWF.NOWAIT : 0);
  if (rwFlags !== 0) t.setRwFlags(slot, rwFlags);
  if (op.ioprio >= 0) t.setPriority(slot, op.ioprio);
  if (op.resfd >= 0) t.setResfd(slot, op.resfd);
  else if (!op.silent) t.setResfd(slot, efd);
}
