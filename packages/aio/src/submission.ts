// From the queue to the kernel: check each op's fd, give it a slot, write its iocb, and
// io_submit in calls of at most submitBatch iocbs. A refused iocb fails alone; the kernel
// accepted the ones before it and the rest are submitted again.
import { AioError, InvalidArgValueError, io_submit } from '@aio/bind';
import { encodeOp } from './encode.js';
import type { Engine } from './engine.js';
import { submitError } from './errors.js';
import type { Op } from './op.js';

const EBADF = 9;
const EAGAIN = 11;

/**
 * Whether the op's memory is still what was checked when the request was made. A buffer can
 * be detached (transferred to a worker, a grown WebAssembly.Memory) between the call and the
 * flush; its view then reports 0 bytes, and the address recorded in an iovec would point at
 * memory JavaScript no longer owns. (A live buffer's memory never moves or shrinks: resizable
 * ones are refused up front.)
 */
function memoryIntact(op: Op): boolean {
  if (op.buffer !== null) return op.buffer.byteLength === op.length;
  if (op.buffers === null) return true;
  let total = 0;
  for (let i = 0; i < op.buffers.length; i++) total += op.buffers[i]!.byteLength;
  return total === op.length;
}

/** Checks the fd, takes a slot and writes the iocb; an error means the op cannot be submitted. */
export function prepareOp(engine: Engine, op: Op): Error | null {
  if (!memoryIntact(op)) {
    return new InvalidArgValueError(
      op.buffer !== null ? 'buffer' : 'buffers',
      op.buffer ?? op.buffers,
      'was detached before the request reached the kernel',
    );
  }
  let kind: number;
  try {
    if (op.handle !== null && (op.handle as { fd?: unknown }).fd !== op.fd) {
      return submitError(EBADF, op); // the FileHandle was closed since the call
    }
    kind = engine.guard.kindOf(op.fd, op.handle);
  } catch (error) {
    if (error instanceof AioError) return submitError(-error.errno, op);
    throw error;
  }
  encodeOp(engine.slots.iocbs, op, engine.slots.alloc(op), kind, engine.efd);
  return null;
}

/** Submits queued ops while there are free slots; returns how many the kernel accepted. */
export function submitQueued(engine: Engine): number {
  const batch = engine.batch;
  const room = engine.max - engine.inFlight;
  engine.guard.begin();
  let k = 0;
  while (k < room) {
    const op = engine.queue.shift();
    if (op === undefined) break;
    const error = prepareOp(engine, op);
    if (error === null) batch[k++] = op;
    else engine.fail(op, error);
  }
  const accepted = k > 0 ? submitBatch(engine, batch, k) : 0;
  batch.length = 0;
  return accepted;
}

function fillPointers(engine: Engine, ops: readonly Op[], from: number, n: number): void {
  const addresses = engine.slots.iocbs.addresses;
  for (let j = 0; j < n; j++) engine.pointers[j] = addresses[ops[from + j]!.slot]!;
}

/** io_submit for batch[0..k); failures reject their op only; EAGAIN requeues the rest. */
function submitBatch(engine: Engine, batch: Op[], k: number): number {
  const limit = engine.submitBatch;
  let i = 0;
  let total = 0;
  while (i < k) {
    const n = Math.min(k - i, limit);
    fillPointers(engine, batch, i, n);
    let accepted: number;
    try {
      accepted = io_submit(engine.ctx, engine.pointers, n);
    } catch (error) {
      if (!(error instanceof AioError)) throw error;
      if (error.errno === -EAGAIN && engine.inFlight > 0) {
        // No room in the kernel: put the rest back; a completion will make room.
        const rest = batch.slice(i, k);
        for (const op of rest) engine.slots.release(op.slot);
        engine.queue.unshift(rest);
        engine.ringFull = true;
        break;
      }
      const op = batch[i]!;
      engine.slots.release(op.slot);
      engine.fail(op, submitError(-error.errno, op));
      i++;
      continue;
    }
    for (let j = 0; j < accepted; j++) engine.launched(batch[i + j]!);
    // accepted < n: the next call starts at the refused iocb and reports its error.
    i += accepted;
    total += accepted;
  }
  return total;
}

/**
 * submit(): prepares and submits `ops` now, in order, as many as there is room for. Stops at
 * the first one refused; throws only when that is the very first (io_submit's contract).
 */
export function submitNow(engine: Engine, ops: readonly Op[]): number {
  const n = Math.min(ops.length, engine.max - engine.inFlight);
  engine.guard.begin();
  let firstError: unknown = null;
  let prepared = 0;
  while (prepared < n && firstError === null) {
    firstError = prepareOp(engine, ops[prepared]!);
    if (firstError === null) prepared++;
  }
  const limit = engine.submitBatch;
  let done = 0;
  while (done < prepared) {
    const count = Math.min(prepared - done, limit);
    fillPointers(engine, ops, done, count);
    let accepted: number;
    try {
      accepted = io_submit(engine.ctx, engine.pointers, count);
    } catch (error) {
      if (!(error instanceof AioError)) throw error;
      firstError = submitError(-error.errno, ops[done]!);
      break;
    }
    for (let j = 0; j < accepted; j++) engine.launched(ops[done + j]!);
    done += accepted;
  }
  for (let i = done; i < prepared; i++) engine.slots.release(ops[i]!.slot);
  engine.reap();
  engine.afterChange();
  if (done === 0 && firstError !== null) throw firstError;
  return done;
}
