// Abort and cancel: a queued op is simply removed; one the kernel holds goes to io_cancel,
// which only POLL honours (a user's poll, or the readiness poll of a pipe read); reads and
// writes of files, in the kernel or on the threadpool, run to completion with their buffers
// pinned, and reject with AbortError once they are done.
import { decodeIoEvent, IOCB_CMD, io_cancel } from '@aio/bind';
import { AbortError, ContextClosedError } from '../errors.js';
import { abortSignalReason, queueMicrotaskSafe } from '../primordials.js';
import type { EngineHost } from './host.js';
import { type Op, PHASE_LANE, PHASE_POLL, SETTLE_MANUAL } from './op.js';

const ECANCELED = 125;
/** io_cancel's result buffer (io_cancel is synchronous: one per thread is enough). */
const cancelResult = new Uint8Array(32);

function waitsForReadiness(op: Op): boolean {
  return op.cmd === IOCB_CMD.POLL || op.phase === PHASE_POLL;
}

/** True while `op` waits in the queue (not in a kernel slot, not on the threadpool). */
function isQueued(op: Op): boolean {
  return op.slot < 0 && op.phase !== PHASE_LANE;
}

/** The AbortSignal of `op` fired. */
export function abortOp(engine: EngineHost, op: Op): void {
  if (op.resolve === null) return; // settled already
  if (engine.running) {
    queueMicrotaskSafe(() => abortOp(engine, op)); // never in the middle of the engine's work
    return;
  }
  if (isQueued(op)) {
    // It never reaches the kernel.
    engine.removeQueued(op);
    engine.fail(op, new AbortError(abortSignalReason(op.signal!)));
    engine.afterChange();
    return;
  }
  op.aborted = true;
  if (op.slot >= 0 && waitsForReadiness(op)) cancelInKernel(engine, op, true);
}

/** cancel() of a queued run() request: removed, resolved with a -ECANCELED event. */
export function cancelQueued(engine: EngineHost, op: Op): object {
  engine.removeQueued(op);
  const resolve = op.resolve;
  engine.fail(op, null); // detaches; run()'s promise is resolved with the event instead
  const event = engine.makeEvent(op, -ECANCELED, 0);
  resolve?.(event);
  engine.afterChange();
  return event;
}

/** Whether cancel() of `op` should be treated as a cancel of a queued request. */
export function cancellableQueued(op: Op): boolean {
  return isQueued(op);
}

/**
 * io_cancel for an op in a kernel slot. Current kernels deliver the event on the ring (null is
 * returned); one written into the result at once is completed here and returned.
 */
export function cancelInKernel(engine: EngineHost, op: Op, quiet: boolean): object | null {
  const result = cancelResult.fill(0);
  try {
    io_cancel(engine.ctx, engine.slots.iocbs.at(op.slot), result);
  } catch (error) {
    if (quiet) return null; // already completing: its event is on its way
    throw error;
  }
  const event = decodeIoEvent(result);
  if (event.obj === 0n) return null;
  return engine.complete(op.slot, event.res, event.res2, false);
}

/** close(): rejects queued waits for readiness and cancels those in flight: they could wait forever. */
export function cancelPolls(engine: EngineHost): void {
  for (const op of engine.queuedOps()) {
    if (!waitsForReadiness(op)) continue;
    engine.removeQueued(op);
    if (op.settle === SETTLE_MANUAL) engine.settle(op, -ECANCELED, 0, true);
    else engine.fail(op, new ContextClosedError('The AioContext was closed before the poll ran'));
  }
  for (const op of [...engine.slots.occupied()]) {
    if (!waitsForReadiness(op) || op.lanePointers !== null) continue;
    op.closed = true;
    cancelInKernel(engine, op, true);
  }
}
