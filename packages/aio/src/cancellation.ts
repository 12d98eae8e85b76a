// Abort and cancel: a queued op is simply removed; an in-flight one goes to io_cancel, which
// only POLL honours (reads and writes of files run to completion, their buffers pinned).
import { decodeIoEvent, IOCB_CMD, io_cancel } from '@aio/bind';
import type { Engine } from './engine.js';
import { AbortError, ContextClosedError } from './errors.js';
import { type AioEvent, makeEvent } from './event.js';
import type { Op } from './op.js';

const ECANCELED = 125;

/** The AbortSignal of `op` fired. */
export function abortOp(engine: Engine, op: Op): void {
  if (op.resolve === null) return; // settled already
  if (op.slot < 0) {
    // Still queued: it never reaches the kernel.
    engine.queue.drop(op);
    engine.fail(op, new AbortError(op.signal!.reason));
    engine.afterChange();
    return;
  }
  // In flight: the buffer stays pinned until the kernel completes; POLL can be cancelled.
  op.aborted = true;
  if (op.cmd === IOCB_CMD.POLL) cancelInKernel(engine, op, true);
}

/** cancel() of a queued run() request: removed, resolved with a -ECANCELED event. */
export function cancelQueued(engine: Engine, op: Op): AioEvent {
  engine.queue.drop(op);
  const resolve = op.resolve;
  engine.fail(op, null); // detaches; run()'s promise is resolved with the event instead
  const event = makeEvent(op, -ECANCELED, 0);
  resolve?.(event);
  engine.afterChange();
  return event;
}

/**
 * io_cancel for an in-flight op. Current kernels deliver the event on the ring (null is
 * returned); one written into the result at once is completed here and returned.
 */
export function cancelInKernel(engine: Engine, op: Op, quiet: boolean): AioEvent | null {
  const result = engine.cancelResult.fill(0);
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

/** close(): rejects queued polls and cancels in-flight ones, which could wait forever. */
export function cancelPolls(engine: Engine): void {
  for (const op of engine.queue.live()) {
    if (op.cmd !== IOCB_CMD.POLL) continue;
    engine.queue.drop(op);
    engine.fail(op, new ContextClosedError('The AioContext was closed before the poll ran'));
  }
  for (const op of [...engine.slots.occupied()]) {
    if (op.cmd !== IOCB_CMD.POLL) continue;
    op.closed = true;
    cancelInKernel(engine, op, true);
  }
}
