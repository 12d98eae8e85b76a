// From the queue to the kernel. Each op is checked (its memory is still what was checked at
// the call), routed (routes.ts: the kernel with RWF_NOWAIT, a readiness poll, the threadpool),
// given a slot and written into its iocb; then io_submit runs in calls of at most submitBatch
// iocbs. A refused iocb fails alone (or, refused for RWF_NOWAIT, takes the slow path); the
// kernel accepted the ones before it and the rest are submitted again.
import {
  AioError,
  errnoException,
  InvalidArgValueError,
  IOCB_CMD,
  io_submit,
  RWF,
} from '@aio/bind';
import { bufferByteLength } from '@aio/bind/internal';
import { isRead, isTransfer, punt, wouldBlock } from './completions.js';
import { encodeOp } from './encode.js';
import { type Engine, STAT_LANE, STAT_POLLED, STAT_SUBMITS } from './engine.js';
import { submitError, withOperation } from './errors.js';
import { type FdInfo, TYPE_BLK, TYPE_DIR, TYPE_REG } from './fd-info.js';
import { fileHandleFd } from './file-handles.js';
import {
  type Op,
  PHASE_KERNEL,
  PHASE_KERNEL_LANE,
  PHASE_LANE,
  PHASE_POLL,
  SETTLE_MANUAL,
} from './op.js';
import { now } from './primordials.js';
import {
  fullyCached,
  isBuffered,
  LANE_READ_MIN,
  LANE_WRITE_MIN,
  laneCanRun,
  SLOW_SUBMIT_MS,
  writeEdgesCached,
} from './routes.js';

const EBADF = 9;
const EAGAIN = 11;
const EISDIR = 21;
const EINVAL = 22;
const EOPNOTSUPP = 95;

/** Whether every buffer of `op` still has the bytes that were checked at the call. */
function memoryIntact(op: Op): boolean {
  if (op.ab !== null) return bufferByteLength(op.ab) >= op.byteOffset + op.length;
  const abs = op.abs;
  if (abs === null) return true;
  for (let i = 0; i < abs.length; i++) {
    if (bufferByteLength(abs[i]!) < op.offsets![i]! + op.lengths![i]!) return false;
  }
  return true;
}

function seekable(info: FdInfo): boolean {
  return info.type === TYPE_REG || info.type === TYPE_BLK;
}

/** The route of a read: RWF_NOWAIT to the kernel, or straight to the threadpool. */
function routeRead(engine: Engine, op: Op): number {
  const manual = op.settle === SETTLE_MANUAL;
  if ((op.rwFlags & RWF.NOWAIT) !== 0) {
    op.silent = engine.fds.readsInline(op.fd, op.file); // the caller's own NOWAIT: no punting
    return PHASE_KERNEL;
  }
  let info: FdInfo | null = op.file !== null ? engine.fds.info(op.fd, op.file) : null;
  let inline: boolean;
  if (info !== null) {
    if (info.type === TYPE_DIR) throw errnoException(EISDIR, 'IOCB_CMD_PREAD', { fd: op.fd });
    op.seekable = seekable(info);
    if (info.noNowait) return op.seekable ? PHASE_LANE : PHASE_POLL;
    inline = !info.completesLater;
  } else {
    inline = engine.fds.readsInline(op.fd, null);
  }
  if (op.length >= LANE_READ_MIN && inline && !manual && !engine.blocking) {
    info ??= engine.fds.info(op.fd, null);
    if (isBuffered(info) && laneCanRun(op, info)) {
      op.seekable = true;
      op.copy = fullyCached(op.fd, op.position, op.length);
      return PHASE_LANE;
    }
  }
  op.nowait = true;
  op.silent = inline;
  return PHASE_KERNEL;
}

/** The route of a write (its file is classified: ext4 takes no RWF_NOWAIT on buffered writes). */
function routeWrite(engine: Engine, op: Op): number {
  if ((op.rwFlags & RWF.NOWAIT) !== 0) return PHASE_KERNEL;
  const info = engine.fds.info(op.fd, op.file);
  if (info.type === TYPE_DIR) throw errnoException(EISDIR, 'IOCB_CMD_PWRITE', { fd: op.fd });
  op.seekable = seekable(info);
  if (!op.seekable) {
    if (info.noNowait) return PHASE_POLL;
    op.nowait = true;
    return PHASE_KERNEL;
  }
  if (info.direct) {
    op.nowait = true; // an extending or hole-filling O_DIRECT write would wait in io_submit
    return PHASE_KERNEL;
  }
  if (engine.blocking) {
    op.silent = true;
    return PHASE_KERNEL;
  }
  const append = info.append || (op.rwFlags & RWF.APPEND) !== 0;
  const mayWait =
    op.length >= LANE_WRITE_MIN ||
    (op.rwFlags & (RWF.DSYNC | RWF.SYNC)) !== 0 ||
    op.bigPosition !== null ||
    engine.writesSlow ||
    !writeEdgesCached(op.fd, op.position, op.length, append);
  if (!mayWait) {
    op.silent = true; // completes inside io_submit
    return PHASE_KERNEL;
  }
  op.copy = true; // into the page cache: CPU-bound
  return op.settle === SETTLE_MANUAL || !laneCanRun(op, info) ? PHASE_KERNEL_LANE : PHASE_LANE;
}

/** Decides where a fresh op goes first. @throws {AioError} EBADF, EISDIR. */
function route(engine: Engine, op: Op): number {
  op.nowait = false;
  op.silent = false;
  if (!isTransfer(op.cmd)) return PHASE_KERNEL;
  return isRead(op.cmd) ? routeRead(engine, op) : routeWrite(engine, op);
}

/** What prepareOp() did with an op. */
export const PREPARED = 0; // in its slot, to be given to io_submit with the batch
export const TAKEN = 1; // gone elsewhere (the threadpool, the kernel lane): it settles later
export const FAILED = 2; // cannot be submitted: see engine.failure

/** Checks, routes, takes a slot and writes the iocb. On FAILED, the error is engine.failure. */
export function prepareOp(engine: Engine, op: Op): number {
  if (!memoryIntact(op)) {
    engine.failure = new InvalidArgValueError(
      op.ab !== null ? 'buffer' : 'buffers',
      op.ab !== null ? op.length : op.lengths,
      'was detached before the request reached the kernel',
    );
    return FAILED;
  }
  if (op.fileHandle && op.held === null && fileHandleFd(op.file!) !== op.fd) {
    engine.failure = submitError(EBADF, op); // the FileHandle was closed since the call
    return FAILED;
  }
  if (!op.routed) {
    op.routed = true;
    try {
      op.phase = route(engine, op);
    } catch (error) {
      if (!(error instanceof AioError)) throw error;
      // statx / fcntl saying EBADF: the fd is not open, as io_submit would have said.
      engine.failure =
        error.syscall === 'statx' || error.syscall === 'fcntl'
          ? submitError(-error.errno, op)
          : withOperation(error, op);
      return FAILED;
    }
    if (op.phase === PHASE_LANE) {
      engine.toLane(op);
      return TAKEN;
    }
    if (op.phase === PHASE_POLL) engine.count(STAT_POLLED);
    else if (op.phase === PHASE_KERNEL_LANE) engine.count(STAT_LANE);
  }
  const slot = engine.slots.alloc(op);
  encodeOp(engine.slots.iocbs, op, slot, engine.efd);
  if (op.phase === PHASE_KERNEL_LANE && !engine.blocking) {
    engine.kernelLane.start(op);
    return TAKEN;
  }
  return PREPARED;
}

/** Submits queued ops while there are free slots; returns how many the kernel accepted. */
export function submitQueued(engine: Engine): number {
  const batch = engine.batch;
  engine.fds.begin();
  let k = 0;
  while (engine.inFlight + k < engine.max) {
    const op = engine.queue.shift();
    if (op === undefined) break;
    const prepared = prepareOp(engine, op);
    if (prepared === PREPARED) batch[k++] = op;
    else if (prepared === FAILED) engine.fail(op, engine.takeFailure());
  }
  const accepted = k > 0 ? submitBatch(engine, batch, 0, k, false) : 0;
  for (let i = 0; i < k; i++) batch[i] = null!; // keeps no request alive (no resizing either)
  return accepted;
}

/** Whether ops[from..from+n) holds a buffered write run inside io_submit (its time tells). */
function hasInlineWrite(ops: readonly Op[], from: number, n: number): boolean {
  for (let i = from; i < from + n; i++) {
    const op = ops[i]!;
    if (op.silent && (op.cmd === IOCB_CMD.PWRITE || op.cmd === IOCB_CMD.PWRITEV)) return true;
  }
  return false;
}

function fillPointers(engine: Engine, ops: readonly Op[], from: number, n: number): void {
  const addresses = engine.slots.iocbs.addresses;
  const pointers = engine.pointers;
  for (let i = 0; i < n; i++) pointers[i] = addresses[ops[from + i]!.slot]!;
}

/** The kernel refused `op` at io_submit with `errno`: true when a slow path took it over. */
function refused(engine: Engine, op: Op, errno: number): boolean {
  engine.unslot(op);
  if (op.nowait && errno === EOPNOTSUPP && isTransfer(op.cmd)) {
    wouldBlock(engine, op, EOPNOTSUPP); // no nowait support here (a FIFO, a /proc file)
    return true;
  }
  if (op.phase === PHASE_POLL && errno === EINVAL) {
    try {
      punt(engine, op, engine.fds.info(op.fd, op.file)); // cannot be polled: the threadpool
      return true;
    } catch {}
  }
  engine.failure = submitError(errno, op);
  return false;
}

/**
 * io_submit for ops[from..to) in calls of submitBatch iocbs. A refused op fails alone (or
 * takes a slow path); EAGAIN puts the rest back in the queue. With `stopAtError` (submit()),
 * the first failure stops it: the rest lose their slots, the error stays in engine.failure.
 * Returns how many ops were taken (accepted by the kernel, or by a slow path).
 */
export function submitBatch(
  engine: Engine,
  ops: Op[],
  from: number,
  to: number,
  stopAtError: boolean,
): number {
  const limit = engine.submitBatch;
  let i = from;
  let total = 0;
  while (i < to) {
    const n = Math.min(to - i, limit);
    fillPointers(engine, ops, i, n);
    let accepted: number;
    const timed = hasInlineWrite(ops, i, n);
    const started = timed ? now() : 0;
    try {
      engine.count(STAT_SUBMITS);
      accepted = io_submit(engine.ctx, engine.pointers, n);
    } catch (error) {
      if (!(error instanceof AioError)) throw error;
      if (error.errno === -EAGAIN && engine.inFlight > 0) {
        // No room in the kernel: put the rest back; a completion will make room.
        const rest = ops.slice(i, to);
        for (const op of rest) engine.unslot(op);
        engine.queue.unshift(rest);
        engine.ringFull = true;
        break;
      }
      const op = ops[i++]!;
      if (refused(engine, op, -error.errno)) {
        total++;
        continue;
      }
      if (stopAtError) {
        for (let j = i; j < to; j++) engine.unslot(ops[j]!);
        return total;
      }
      engine.fail(op, engine.takeFailure());
      continue;
    }
    if (timed) engine.noteSlowWrites(now() - started, SLOW_SUBMIT_MS);
    for (let j = 0; j < accepted; j++) engine.launched(ops[i + j]!);
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
  engine.assertNotRunning('submit()');
  const total = engine.runExclusive(() => {
    const n = Math.min(ops.length, engine.max - engine.inFlight);
    engine.fds.begin();
    const batch: Op[] = [];
    let taken = 0;
    let failure: Error | null = null;
    for (let i = 0; i < n && failure === null; i++) {
      const prepared = prepareOp(engine, ops[i]!);
      if (prepared === PREPARED) batch.push(ops[i]!);
      else if (prepared === TAKEN) taken++;
      else failure = engine.takeFailure();
    }
    taken += submitBatch(engine, batch, 0, batch.length, true);
    failure ??= engine.takeFailure();
    engine.reap();
    if (taken === 0 && failure !== null) throw failure;
    return taken;
  });
  engine.afterChange();
  return total;
}
