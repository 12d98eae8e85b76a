// From the queue to the kernel. Each op is checked (its memory is still what was checked at
// the call), routed (routes.ts: the kernel with RWF_NOWAIT, a readiness poll, the threadpool),
// given a slot and written into its iocb; then io_submit runs in calls of at most batchSize
// iocbs. A refused iocb fails alone (or, refused for RWF_NOWAIT, takes the slow path); the
// kernel accepted the ones before it and the rest are submitted again. The engine owns one
// Submission, which owns the io_submit pointer array and the batch being submitted.
// (Slightly over 250 lines: the one io_submit loop, shared by the queue and submit().)
import { AioError, InvalidArgValueError, IOCB_CMD, io_submit } from '@aio/bind';
import { bufferByteLength } from '@aio/bind/internal';
import { fileHandleFd } from '../file-handles.js';
import { isTransfer } from '../opcodes.js';
import { now } from '../primordials.js';
import { punt, wouldBlock } from './completions.js';
import { encodeOp } from './encode.js';
import { refusedError, submitError, withOperation } from './failures.js';
import type { EngineHost } from './host.js';
import { type Op, PHASE_KERNEL_LANE, PHASE_LANE, PHASE_POLL } from './op.js';
import { route, SLOW_SUBMIT_MS } from './routes.js';
import { STAT_LANE, STAT_POLLED, STAT_SUBMITS } from './stats.js';

const EBADF = 9;
const EAGAIN = 11;
const EINVAL = 22;
const EOPNOTSUPP = 95;

/** Iocbs per io_submit call: a fixed number, or 'auto' (chosen by how requests complete). */
export type SubmitBatch = number | 'auto';

/**
 * 'auto' batch while requests complete inside io_submit (buffered I/O): larger batches save
 * syscalls (measured best at 8-16 here; 1 per call was 25-40% slower).
 */
export const SUBMIT_BATCH_INLINE = 16;
/**
 * 'auto' batch while the device holds requests (O_DIRECT): each io_submit call kicks the
 * device once, so the first request starts before the next is even prepared. One per call
 * against 4: +10% at 8 in flight, +5% at 32, even at 128 (4 KiB random reads, virtio disk);
 * the C reference loop gained 20-30% the same way, which is how fio submits too.
 */
export const SUBMIT_BATCH_DEVICE = 1;

/** What prepare() did with an op. */
const PREPARED = 0; // in its slot, to be given to io_submit with the batch
const TAKEN = 1; // gone elsewhere (the threadpool, the kernel lane): it settles later
const FAILED = 2; // cannot be submitted: the error is in #failure

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

/** Whether ops[from..from+n) holds a buffered write run inside io_submit (its time tells). */
function hasInlineWrite(ops: readonly Op[], from: number, n: number): boolean {
  for (let i = from; i < from + n; i++) {
    const op = ops[i]!;
    if (op.silent && (op.cmd === IOCB_CMD.PWRITE || op.cmd === IOCB_CMD.PWRITEV)) return true;
  }
  return false;
}

export class Submission {
  readonly #engine: EngineHost;
  readonly #fixedBatch: number;
  /** io_submit's iocb pointer array, and the ops of the flush being submitted. */
  readonly #pointers: BigUint64Array;
  readonly #batch: Op[] = [];
  /** Whether the last pump's requests stayed in flight after it (the device holds them). */
  #deviceMode = false;
  /** The error of the last op prepare() or submitOps() could not submit. */
  #failure: Error | null = null;

  constructor(engine: EngineHost, batch: SubmitBatch) {
    this.#engine = engine;
    this.#fixedBatch = batch === 'auto' ? 0 : batch;
    this.#pointers = new BigUint64Array(engine.max);
  }

  /** Iocbs per io_submit call now. */
  get batchSize(): number {
    if (this.#fixedBatch > 0) return this.#fixedBatch;
    return Math.min(this.#deviceMode ? SUBMIT_BATCH_DEVICE : SUBMIT_BATCH_INLINE, this.#engine.max);
  }

  /** After a pump: whether its requests stayed in flight (the device holds them). */
  noteDevice(deviceHeld: boolean): void {
    this.#deviceMode = deviceHeld;
  }

  #takeFailure(): Error | null {
    const error = this.#failure;
    this.#failure = null;
    return error;
  }

  /** Checks, routes, takes a slot and writes the iocb. */
  #prepare(op: Op): number {
    const engine = this.#engine;
    if (!memoryIntact(op)) {
      this.#failure = new InvalidArgValueError(
        op.ab !== null ? 'buffer' : 'buffers',
        op.ab !== null ? op.length : op.lengths,
        'was detached before the request reached the kernel',
      );
      return FAILED;
    }
    if (op.fileHandle && op.held === null && fileHandleFd(op.file!) !== op.fd) {
      this.#failure = refusedError(EBADF, op); // the FileHandle was closed since the call
      return FAILED;
    }
    if (!op.routed) {
      op.routed = true;
      try {
        op.phase = route(engine, op);
      } catch (error) {
        if (!(error instanceof AioError)) throw error;
        this.#failure = withOperation(error, op); // statx / fcntl: the fd is not open
        return FAILED;
      }
      if (op.phase === PHASE_LANE) {
        engine.toLane(op);
        return TAKEN;
      }
      if (op.phase === PHASE_POLL) engine.count(STAT_POLLED);
      else if (op.phase === PHASE_KERNEL_LANE) engine.count(STAT_LANE);
    }
    const slot = engine.takeSlot(op);
    encodeOp(engine.slots.iocbs, op, slot, engine.efd);
    if (op.phase === PHASE_KERNEL_LANE && !engine.blocking) {
      engine.kernelLane.start(op);
      return TAKEN;
    }
    return PREPARED;
  }

  /** Submits queued ops while there are free slots; returns how many the kernel accepted. */
  submitQueued(): number {
    const engine = this.#engine;
    const batch = this.#batch;
    engine.fds.begin();
    let k = 0;
    while (engine.inFlight + k < engine.max) {
      const op = engine.takeQueued();
      if (op === undefined) break;
      const prepared = this.#prepare(op);
      if (prepared === PREPARED) batch[k++] = op;
      else if (prepared === FAILED) engine.fail(op, this.#takeFailure());
    }
    const accepted = k > 0 ? this.#submitOps(batch, 0, k, false) : 0;
    for (let i = 0; i < k; i++) batch[i] = null!; // keeps no request alive (no resizing either)
    return accepted;
  }

  /**
   * submit(): prepares and submits `ops` now, in order, as many as there is room for. Stops at
   * the first one refused; throws only when that is the very first (io_submit's contract).
   */
  submitNow(ops: readonly Op[]): number {
    const engine = this.#engine;
    const n = Math.min(ops.length, engine.max - engine.inFlight);
    engine.fds.begin();
    const batch: Op[] = [];
    let taken = 0;
    let failure: Error | null = null;
    for (let i = 0; i < n && failure === null; i++) {
      const prepared = this.#prepare(ops[i]!);
      if (prepared === PREPARED) batch.push(ops[i]!);
      else if (prepared === TAKEN) taken++;
      else failure = this.#takeFailure();
    }
    taken += this.#submitOps(batch, 0, batch.length, true);
    failure ??= this.#takeFailure();
    engine.reap();
    if (taken === 0 && failure !== null) throw failure;
    return taken;
  }

  /** The kernel refused `op` at io_submit with `errno`: true when a slow path took it over. */
  #refused(op: Op, errno: number): boolean {
    const engine = this.#engine;
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
    this.#failure = submitError(errno, op);
    return false;
  }

  /**
   * io_submit for ops[from..to) in calls of batchSize iocbs. A refused op fails alone (or
   * takes a slow path); EAGAIN puts the rest back in the queue. With `stopAtError` (submit()),
   * the first failure stops it: the rest lose their slots, the error stays in #failure.
   * Returns how many ops were taken (accepted by the kernel, or by a slow path).
   */
  #submitOps(ops: Op[], from: number, to: number, stopAtError: boolean): number {
    const engine = this.#engine;
    const limit = this.batchSize;
    const addresses = engine.slots.iocbs.addresses;
    const pointers = this.#pointers;
    let i = from;
    let total = 0;
    while (i < to) {
      const n = Math.min(to - i, limit);
      for (let j = 0; j < n; j++) pointers[j] = addresses[ops[i + j]!.slot]!;
      let accepted: number;
      const timed = hasInlineWrite(ops, i, n);
      const started = timed ? now() : 0;
      try {
        engine.count(STAT_SUBMITS);
        accepted = io_submit(engine.ctx, pointers, n);
      } catch (error) {
        if (!(error instanceof AioError)) throw error;
        if (error.errno === -EAGAIN && engine.inFlight > 0) {
          // No room in the kernel: put the rest back; a completion will make room.
          const rest = ops.slice(i, to);
          for (const op of rest) engine.unslot(op);
          engine.returnQueued(rest);
          engine.noteRingFull();
          break;
        }
        const op = ops[i++]!;
        if (this.#refused(op, -error.errno)) {
          total++;
          continue;
        }
        if (stopAtError) {
          for (let j = i; j < to; j++) engine.unslot(ops[j]!);
          return total;
        }
        engine.fail(op, this.#takeFailure());
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
}
