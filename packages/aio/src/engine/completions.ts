// What happens when a phase of a request ends (engine.ts calls these; they call the engine's
// methods). A read the engine sent with RWF_NOWAIT that comes back EAGAIN (not cached, an
// empty pipe), EOPNOTSUPP (a FIFO, a /proc file) or short before the end of file is not done:
// what is left moves to a readiness poll (pipes, sockets, ttys) or to the threadpool lane
// (files), and the request settles once, with the total, as if one read had done it.
import { isRead, isTransfer } from '../opcodes.js';
import { type FdInfo, seekable, sizeOf, TYPE_DIR } from './fd-info.js';
import type { EngineHost } from './host.js';
import {
  type Op,
  PHASE_KERNEL,
  PHASE_KERNEL_LANE,
  PHASE_LANE,
  PHASE_POLL,
  SETTLE_MANUAL,
} from './op.js';
import { laneCanRun } from './routes.js';
import { STAT_DEVICE, STAT_INLINE, STAT_LANE } from './stats.js';

const EAGAIN = 11;
const ECANCELED = 125;
const EINVAL = 22;
const EISDIR = 21;
const EOPNOTSUPP = 95;
/** One kernel call moves at most this much (MAX_RW_COUNT): a lane read of exactly it goes on. */
const MAX_RW = 0x7fff_f000;

/** Settles with the total: bytes of earlier phases plus `res` (an error after some bytes is a short result, as read(2) gives). */
function finish(
  engine: EngineHost,
  op: Op,
  res: number,
  res2: number,
  deliver: boolean,
): object | null {
  const total = op.done === 0 ? res : res < 0 ? op.done : op.done + res;
  return engine.settle(op, total, res2, deliver);
}

/** The classification of the op's file, or null after failing the op (its fd is gone). */
function infoOf(engine: EngineHost, op: Op): FdInfo | null {
  try {
    return engine.fds.info(op.fd, op.file);
  } catch (error) {
    if (typeof (error as { errno?: unknown }).errno !== 'number') throw error;
    finish(engine, op, (error as { errno: number }).errno, 0, true);
    return null;
  }
}

/** What is left of a file transfer goes off the event loop's thread. */
export function punt(engine: EngineHost, op: Op, info: FdInfo): void {
  op.seekable = seekable(info);
  if (engine.blocking) {
    // Inside closeSync() / getEvents(), which block by contract: submit it plainly.
    op.phase = PHASE_KERNEL;
    op.nowait = false;
    op.silent = false;
    engine.requeue(op);
  } else if (op.settle === SETTLE_MANUAL || !laneCanRun(op, info)) {
    // Its completion must arrive on the ring (submit()/getEvents()), or node:fs cannot say it.
    op.phase = PHASE_KERNEL_LANE;
    op.silent = false;
    engine.count(STAT_LANE);
    engine.requeue(op);
  } else {
    engine.toLane(op);
  }
}

/** The transfer would block: off the event loop it goes (a file) or to a readiness poll. */
export function wouldBlock(engine: EngineHost, op: Op, errno: number): void {
  const info = infoOf(engine, op);
  if (info === null) return;
  if (info.type === TYPE_DIR) {
    finish(engine, op, -EISDIR, 0, true);
    return;
  }
  if (errno === EOPNOTSUPP) info.noNowait = true;
  if (seekable(info)) {
    punt(engine, op, info);
    return;
  }
  if (engine.closing) {
    // close() cancels what could wait forever (a read of a pipe no one writes).
    op.closed = true;
    finish(engine, op, -ECANCELED, 0, true);
    return;
  }
  op.phase = PHASE_POLL;
  engine.requeue(op);
}

/** A NOWAIT read came back short: the end of file, or only the first pages were cached. */
function shortRead(
  engine: EngineHost,
  op: Op,
  res: number,
  res2: number,
  deliver: boolean,
): object | null {
  op.done += res;
  if (res === 0) return finish(engine, op, 0, res2, deliver);
  const info = infoOf(engine, op);
  if (info === null) return null;
  if (!seekable(info)) return finish(engine, op, 0, res2, deliver); // what a pipe had
  const size = sizeOf(op.fd);
  const reached =
    op.bigPosition !== null ? op.bigPosition + BigInt(op.done) : op.position + op.done;
  if (size >= 0 && reached >= size) return finish(engine, op, 0, res2, deliver);
  punt(engine, op, info);
  return null;
}

/** The readiness poll of a pipe, socket or tty fired (or failed). */
function afterPoll(engine: EngineHost, op: Op, res: number, deliver: boolean): object | null {
  if (op.aborted || op.closed) return finish(engine, op, -ECANCELED, 0, deliver);
  const info = infoOf(engine, op);
  if (info === null) return null;
  if (res === -EINVAL) {
    // This file cannot be polled: wait on the threadpool instead.
    punt(engine, op, info);
    return null;
  }
  if (res < 0) return finish(engine, op, res, 0, deliver);
  if (info.noNowait) {
    punt(engine, op, info);
  } else {
    op.phase = PHASE_KERNEL;
    op.nowait = true;
    engine.requeue(op);
  }
  return null;
}

/** The kernel completed a phase of `op` with `res`; `inline` when inside the submitting io_submit. */
export function completeOp(
  engine: EngineHost,
  op: Op,
  res: number,
  res2: number,
  inline: boolean,
  deliver: boolean,
): object | null {
  if (op.phase === PHASE_POLL) return afterPoll(engine, op, res, deliver);
  if (op.phase === PHASE_KERNEL_LANE) return finish(engine, op, res, res2, deliver);
  const cmd = op.cmd;
  if (isTransfer(cmd)) {
    engine.fds.learn(op.fd, op.file, inline);
    if (op.nowait && !op.aborted) {
      if (res === -EAGAIN) {
        wouldBlock(engine, op, EAGAIN);
        return null;
      }
      if (res === -EOPNOTSUPP) {
        wouldBlock(engine, op, EOPNOTSUPP);
        return null;
      }
      if (isRead(cmd) && res >= 0 && res < op.length - op.done) {
        return shortRead(engine, op, res, res2, deliver);
      }
    }
  }
  engine.count(inline ? STAT_INLINE : STAT_DEVICE);
  return finish(engine, op, res, res2, deliver);
}

/** A lane call returned `res` (bytes, or a negative errno). */
export function laneFinished(engine: EngineHost, op: Op, res: number): void {
  if (op.phase !== PHASE_LANE) return;
  if (res === MAX_RW && op.done + res < op.length) {
    // The kernel's per-call limit, not the end of file: go on from there.
    op.done += res;
    engine.toLane(op);
    return;
  }
  finish(engine, op, res, 0, true);
}
