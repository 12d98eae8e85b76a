// The machinery behind an AioContext. Requests queue up during a tick and leave in one
// microtask (submission.ts routes each one and submits what goes to the kernel); the ring is
// reaped right after each submit (page-cache hits complete inside io_submit) and whenever the
// eventfd says more arrived; completions.ts moves each request through its phases (the kernel,
// a readiness poll, the threadpool lane) until it settles. Every Op pins its memory from the
// call until its last phase is done: in a kernel slot, or held by a lane call.
//
// The engine never references the public AioContext, so a dropped context can be collected
// and finalized while the engine finishes its in-flight work (see lifetime.ts). It is the one
// writer of its state: its parts see it through EngineHost (host.ts) and call its methods.
// (Over 250 lines: the state and every transition of it are kept in one class on purpose.)
import {
  type AioError,
  CompletionRing,
  IoEventArray,
  io_destroy,
  io_getevents,
  io_setup,
} from '@aio/bind';
import { AbortError, ContextClosedError, ReentrantCallError } from '../errors.js';
import {
  abortSignalAborted,
  abortSignalReason,
  now,
  PromiseCtor,
  queueMicrotaskSafe,
  setImmediateSafe,
} from '../primordials.js';
import { abortOp } from './cancellation.js';
import { completeOp, laneFinished } from './completions.js';
import { FdTable } from './fd-info.js';
import type { EngineHost } from './host.js';
import { KernelLane } from './kernel-lane.js';
import { runOnLane } from './lane.js';
import { closeAtExit, forgetOwner, type Managed, setBusy } from './lifetime.js';
import { CompletedEvents } from './manual-events.js';
import { type Op, PHASE_LANE, PHASE_POLL, SETTLE_MANUAL } from './op.js';
import { OpQueue } from './queue.js';
import { SLOW_COOLDOWN_MS } from './routes.js';
import { Settler } from './settle.js';
import { SlotTable } from './slots.js';
import {
  Counters,
  type EngineStats,
  STAT_LANE,
  STAT_POLLED,
  STAT_WAKEUPS,
  STAT_YIELDS,
} from './stats.js';
import { StragglerTimer } from './stragglers.js';
import { Submission, type SubmitBatch } from './submission.js';
import { mayWorkNow } from './turn.js';
import { type Backend, createWaker, type Waker } from './waker.js';

const MAX_ROUNDS = 16;

export interface EngineOptions<E> {
  maxRequests: number;
  backend: Backend | 'auto';
  /** Iocbs per io_submit, or 'auto' (submission.ts chooses by how requests complete). */
  submitBatch: SubmitBatch;
  /** Builds the event a run()/submit() request settles with (the requests layer's AioEvent). */
  makeEvent: (op: Op, res: number, res2: number) => E;
}

export class Engine<E extends object = object> implements EngineHost, Managed {
  readonly ctx: bigint;
  readonly max: number;
  readonly #slots: SlotTable;
  readonly #queue = new OpQueue();
  readonly ring: CompletionRing;
  readonly fds = new FdTable();
  readonly kernelLane: KernelLane;
  /** Completed submit() requests, for getEvents() and events(). */
  readonly completed = new CompletedEvents<E>();
  readonly #events: IoEventArray;
  readonly #counters = new Counters();
  readonly #submission: Submission;
  readonly #settler: Settler<E>;
  readonly #waker: Waker;
  readonly #stragglers: StragglerTimer;
  readonly #idleWaiters: Array<() => void> = [];
  readonly #exit: { release(): void };
  /** Requests the kernel holds (in a slot), and of those, from submit() / without a signal. */
  #inFlight = 0;
  #manualInFlight = 0;
  #silentInFlight = 0;
  /** Requests on the threadpool through node:fs. */
  #laneInFlight = 0;
  /** The kernel said EAGAIN with requests in flight: wait for a completion before retrying. */
  #ringFull = false;
  #closing = false;
  #destroyed = false;
  #blocking = false;
  #flushScheduled = false;
  #continueScheduled = false;
  /** Whether this engine is in the busy set (changed on transitions only). */
  #busy = false;
  #idleCheck = false;
  #epoch = 0;
  #submittedNow = 0;
  #inlineNow = 0;
  /** Nesting of pump(): a re-entrant entry is deferred or refused, never interleaved. */
  #depth = 0;
  #slowWritesUntil = 0;

  constructor(options: EngineOptions<E>) {
    this.max = options.maxRequests;
    this.#settler = new Settler(options.makeEvent, this.completed, (op) => abortOp(this, op));
    this.ctx = io_setup(this.max);
    try {
      this.#waker = createWaker(options.backend, this.#onWake, () => this.#inFlight > 0);
    } catch (error) {
      io_destroy(this.ctx);
      throw error;
    }
    this.#slots = new SlotTable(this.max);
    this.#events = new IoEventArray(this.max);
    this.ring = new CompletionRing(this.ctx);
    this.kernelLane = new KernelLane(this);
    this.#submission = new Submission(this, options.submitBatch);
    this.#stragglers = new StragglerTimer(() => {
      if (!this.#destroyed) this.pump();
    });
    // A thread's contexts are destroyed when it exits (a worker too), after the kernel is done.
    this.#exit = closeAtExit({ close: () => this.destroyNow() });
  }

  get slots(): Readonly<Pick<SlotTable, 'iocbs' | 'occupied'>> {
    return this.#slots;
  }
  get backend(): Backend {
    return this.#waker.backend;
  }
  get efd(): number {
    return this.#waker.fd;
  }
  get inFlight(): number {
    return this.#inFlight;
  }
  /** submit() requests the kernel holds. */
  get manualInFlight(): number {
    return this.#manualInFlight;
  }
  get blocking(): boolean {
    return this.#blocking;
  }
  get closing(): boolean {
    return this.#closing;
  }
  get destroyed(): boolean {
    return this.#destroyed;
  }
  get running(): boolean {
    return this.#depth > 0;
  }
  get submitBatch(): number {
    return this.#submission.batchSize;
  }
  get stats(): EngineStats {
    return this.#counters.snapshot();
  }
  get writesSlow(): boolean {
    return this.#slowWritesUntil !== 0 && now() < this.#slowWritesUntil;
  }

  count(stat: number): void {
    this.#counters.count(stat);
  }

  noteSlowWrites(ms: number, slowMs: number): void {
    if (ms > slowMs) this.#slowWritesUntil = now() + SLOW_COOLDOWN_MS;
  }

  noteRingFull(): void {
    this.#ringFull = true;
  }

  get queued(): number {
    return this.#queue.size;
  }

  takeQueued(): Op | undefined {
    return this.#queue.shift();
  }

  returnQueued(ops: Op[]): void {
    this.#queue.unshift(ops);
  }

  removeQueued(op: Op): void {
    this.#queue.drop(op);
  }

  queuedOps(): Op[] {
    return this.#queue.live();
  }

  takeSlot(op: Op): number {
    return this.#slots.alloc(op);
  }

  /** The queued or in-flight op of a run()/submit() request, if any. */
  opOf(request: object): Op | undefined {
    return this.#settler.opOf(request);
  }

  makeEvent(op: Op, res: number, res2: number): E {
    return this.#settler.makeEvent(op, res, res2);
  }

  /** Queues `op` for the next flush and returns its promise. */
  enqueue<T>(op: Op): Promise<T> {
    if (this.#closing || this.#destroyed) {
      return PromiseCtor.reject(new ContextClosedError()) as Promise<T>;
    }
    const signal = op.signal;
    if (signal !== null && abortSignalAborted(signal)) {
      return PromiseCtor.reject(new AbortError(abortSignalReason(signal))) as Promise<T>;
    }
    const promise = this.#settler.queued<T>(op);
    this.#queue.push(op);
    if (!this.#busy) this.#setBusy(true);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotaskSafe(this.#flush);
    }
    return promise;
  }

  /** submit(): prepares and submits `ops` now, in order; see Submission.submitNow. */
  submitNow(ops: readonly Op[]): number {
    this.assertNotRunning('submit()');
    const taken = this.runExclusive(() => this.#submission.submitNow(ops));
    this.afterChange();
    return taken;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#continueScheduled = false;
    if (this.#destroyed) return;
    if (!mayWorkNow(this.#queue.size)) {
      // This turn's inline work is spent: go on after timers, sockets and others have run.
      this.count(STAT_YIELDS);
      this.#continueScheduled = true;
      setImmediateSafe(this.#flush);
      return;
    }
    this.pump();
  };

  readonly #onWake = (): void => {
    this.count(STAT_WAKEUPS);
    if (!this.#destroyed) this.pump();
  };

  assertNotRunning(what: string): void {
    if (this.#depth > 0) throw new ReentrantCallError(what);
  }

  /** Submits what fits, reaps what completed, until neither makes progress. */
  pump(): void {
    if (this.#depth > 0) {
      // Re-entered from code the engine ran: finish the current round first.
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        queueMicrotaskSafe(this.#flush);
      }
      return;
    }
    this.#depth++;
    try {
      this.#epoch++;
      this.#submittedNow = 0;
      this.#inlineNow = 0;
      for (let round = 0; round < MAX_ROUNDS; round++) {
        let progress = false;
        if (this.#queue.size > 0 && this.#inFlight < this.max && !this.#ringFull) {
          progress = this.#submission.submitQueued() > 0;
        }
        if (this.reap() > 0) progress = true;
        if (!progress || this.#queue.size === 0) break;
      }
      // Requests that did not complete inside io_submit are held by the device (O_DIRECT).
      if (this.#submittedNow > 0) this.#submission.noteDevice(this.#inlineNow < this.#submittedNow);
      if (this.#silentInFlight > 0) this.#learnStragglers();
    } finally {
      this.#depth--;
    }
    this.afterChange();
  }

  runExclusive<T>(fn: () => T): T {
    this.#depth++;
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  /** Runs `fn` as a blocking call (closeSync, getEvents): lanes give way to plain submits. */
  whileBlocking<T>(fn: () => T): T {
    this.#blocking = true;
    try {
      return fn();
    } finally {
      this.#blocking = false;
    }
  }

  /** Silent requests still in flight after their pump: their files complete later after all. */
  #learnStragglers(): void {
    for (const op of this.#slots.occupied()) {
      if (op.silent && op.epoch === this.#epoch) this.fds.learn(op.fd, op.file, false);
    }
  }

  launched(op: Op): void {
    this.#inFlight++;
    this.#submittedNow++;
    op.epoch = this.#epoch;
    if (op.silent) this.#silentInFlight++;
    if (op.settle === SETTLE_MANUAL) this.#manualInFlight++;
    this.#settler.launched(op);
  }

  unslot(op: Op): void {
    this.#slots.release(op.slot);
  }

  reap(): number {
    const events = this.#events;
    const ring = this.ring;
    let total = 0;
    while (!ring.empty) {
      const n = ring.reap(events.bytes, events.length);
      this.#dispatch(n);
      total += n;
    }
    return total;
  }

  #dispatch(n: number): void {
    const events = this.#events;
    for (let i = 0; i < n; i++) this.complete(events.dataNumber(i), events.res(i), events.res2(i));
  }

  complete(slot: number, res: number, res2: number, deliver = true): E | null {
    const op = this.#slots.release(slot);
    if (op === null) return null;
    this.#inFlight--;
    this.#ringFull = false;
    if (op.silent) this.#silentInFlight--;
    if (op.settle === SETTLE_MANUAL) this.#manualInFlight--;
    const inline = op.epoch === this.#epoch;
    if (inline) this.#inlineNow++;
    return completeOp(this, op, res, res2, inline, deliver) as E | null;
  }

  requeue(op: Op): void {
    if (op.phase === PHASE_POLL) this.count(STAT_POLLED);
    this.#queue.unshift([op]);
  }

  toLane(op: Op): void {
    op.phase = PHASE_LANE;
    this.count(STAT_LANE);
    this.#laneInFlight++;
    runOnLane(op, this.#laneReturned);
  }

  readonly #laneReturned = (op: Op, res: number): void => {
    this.#laneInFlight--;
    laneFinished(this, op, res);
    this.afterChange();
  };

  settle(op: Op, res: number, res2: number, deliver: boolean): E | null {
    return this.#settler.settle(op, res, res2, deliver);
  }

  fail(op: Op, error: unknown): void {
    this.#settler.fail(op, error);
  }

  #hasWork(): boolean {
    return this.#inFlight > 0 || this.#queue.size > 0 || this.#laneInFlight > 0;
  }

  afterChange(): void {
    if (this.#destroyed) return;
    if (this.#inFlight > 0) this.#waker.arm();
    else this.#waker.disarm();
    if (this.#silentInFlight > 0) this.#stragglers.arm();
    else this.#stragglers.reset();
    const hasWork = this.#hasWork();
    if (hasWork && !this.#busy) this.#setBusy(true);
    if (!hasWork) {
      if (this.#closing) this.destroy();
      else if (this.#busy && !this.#idleCheck) {
        // Out of the busy set at the end of the turn, not now: a loop at depth 1 would go in
        // and out of it for every request.
        this.#idleCheck = true;
        setImmediateSafe(this.#checkIdle);
      }
      return;
    }
    const canSubmit = this.#inFlight < this.max && !this.#ringFull;
    if (this.#queue.size > 0 && canSubmit && !this.#flushScheduled && !this.#continueScheduled) {
      // Many buffered requests: go on after the loop has had a turn.
      this.#continueScheduled = true;
      setImmediateSafe(this.#flush);
    }
  }

  readonly #checkIdle = (): void => {
    this.#idleCheck = false;
    if (!this.#hasWork() && this.#busy && !this.#destroyed) this.#setBusy(false);
  };

  #setBusy(busy: boolean): void {
    this.#busy = busy;
    setBusy(this, busy);
  }

  /** close(): no new work; destroyed once nothing is queued or in flight. */
  beginClose(): void {
    this.#closing = true;
  }

  /** Resolves once the engine is destroyed: when closing and nothing is queued or in flight. */
  whenDestroyed(): Promise<void> {
    if (this.#destroyed) return PromiseCtor.resolve();
    return new PromiseCtor((resolve) => {
      this.#idleWaiters.push(resolve);
      this.afterChange();
    });
  }

  /** Waits (blocking the thread) for one or more completions and processes them. */
  waitSync(timeout: { tv_sec: bigint; tv_nsec: number } | null): number {
    for (;;) {
      try {
        const n = io_getevents(this.ctx, 1, this.max, this.#events.bytes, timeout);
        this.runExclusive(() => this.#dispatch(n));
        return n;
      } catch (error) {
        if ((error as AioError).code !== 'EINTR') throw error;
      }
    }
  }

  /** Called when the public owner was collected: finish in-flight work, then free. */
  abandon(): void {
    if (this.#destroyed) return;
    this.#closing = true;
    this.afterChange();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#setBusy(false);
    this.#stragglers.reset();
    this.#exit.release();
    forgetOwner(this);
    try {
      this.#waker.close();
    } finally {
      io_destroy(this.ctx); // waits for every request still in the kernel
    }
    this.completed.end();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /**
   * At thread exit: no more event-loop turns will come, so destroy now (io_destroy waits for
   * the kernel to finish with every buffer). Lane calls already running are waited for by node.
   */
  destroyNow(): void {
    if (this.#destroyed) return;
    this.#closing = true;
    this.destroy();
  }
}
