// The machinery behind an AioContext. Requests queue up during a tick and leave in one
// microtask (submission.ts routes each one and submits what goes to the kernel); the ring is
// reaped right after each submit (page-cache hits complete inside io_submit) and whenever the
// eventfd says more arrived; completions.ts moves each request through its phases (the kernel,
// a readiness poll, the threadpool lane) until it settles. Every Op pins its memory from the
// call until its last phase is done: in a kernel slot, or held by a lane call.
//
// The engine never references the public AioContext, so a dropped context can be collected
// and finalized while the engine finishes its in-flight work (see lifetime.ts). Its state is
// written by its own methods; submission.ts and completions.ts call them.
import {
  type AioError,
  CompletionRing,
  IoEventArray,
  io_destroy,
  io_getevents,
  io_setup,
} from '@aio/bind';
import { abortOp } from './cancellation.js';
import { completeOp, laneFinished } from './completions.js';
import { AbortError, ContextClosedError, completionError, ReentrantCallError } from './errors.js';
import { type AioEvent, makeEvent } from './event.js';
import { FdTable } from './fd-info.js';
import { holdFileHandle, releaseFileHandle } from './file-handles.js';
import { KernelLane } from './kernel-lane.js';
import { runOnLane } from './lane.js';
import { closeAtExit, forgetOwner, type Managed, setBusy } from './lifetime.js';
import {
  type Op,
  PHASE_LANE,
  PHASE_POLL,
  type Reject,
  type Resolve,
  SETTLE_EVENT,
  SETTLE_MANUAL,
  SETTLE_VOID,
} from './op.js';
import {
  abortSignalAborted,
  abortSignalReason,
  addEventListener,
  now,
  PromiseCtor,
  queueMicrotaskSafe,
  removeEventListener,
  setImmediateSafe,
} from './primordials.js';
import { OpQueue } from './queue.js';
import { setRequestState } from './request.js';
import { SLOW_COOLDOWN_MS } from './routes.js';
import { SlotTable } from './slots.js';
import { submitQueued } from './submission.js';
import { mayWorkNow } from './turn.js';
import { type Backend, createWaker, type Waker } from './waker.js';

const MAX_ROUNDS = 16;
/** First and longest wait between reaps of requests that signal no eventfd (see fd-info.ts). */
const STRAGGLER_FIRST_MS = 1;
const STRAGGLER_MAX_MS = 64;

export interface EngineOptions {
  maxRequests: number;
  backend: Backend | 'auto';
  /** Iocbs per io_submit, or 'auto' (see SUBMIT_BATCH_INLINE / SUBMIT_BATCH_DEVICE). */
  submitBatch: number | 'auto';
}

/** Where a context's requests went (counters since it was created). */
export interface EngineStats {
  /** Completed inside io_submit: page-cache hits, nothing waited for. */
  inline: number;
  /** Completed later by the device (O_DIRECT, block devices), reaped from the ring. */
  device: number;
  /** Sent (whole or their rest) to the libuv threadpool: misses, large copies, writes that may wait. */
  lane: number;
  /** Waited for readiness with IOCB_CMD_POLL first (pipes, sockets, ttys). */
  polled: number;
  /** io_submit calls. */
  submits: number;
  /** Wake-ups by the eventfd (device completions arrived). */
  wakeups: number;
  /** Flushes that waited for a macrotask because the turn's budget of inline work was spent. */
  yields: number;
}

/** EngineStats' names, and their indexes for Engine.count(). */
const STAT_NAMES = ['inline', 'device', 'lane', 'polled', 'submits', 'wakeups', 'yields'] as const;
export const STAT_INLINE = 0;
export const STAT_DEVICE = 1;
export const STAT_LANE = 2;
export const STAT_POLLED = 3;
export const STAT_SUBMITS = 4;
export const STAT_WAKEUPS = 5;
export const STAT_YIELDS = 6;

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

// One executor for every request's Promise (no closure allocated per request): the op being
// promised is handed over through this variable, which the executor reads synchronously.
let opBeingPromised: Op | null = null;
function takeResolvers(resolve: Resolve, reject: Reject): void {
  const op = opBeingPromised!;
  opBeingPromised = null;
  op.resolve = resolve;
  op.reject = reject;
}

export class Engine implements Managed {
  readonly ctx: bigint;
  readonly max: number;
  readonly slots: SlotTable;
  readonly queue = new OpQueue();
  readonly events: IoEventArray;
  readonly ring: CompletionRing;
  readonly fds = new FdTable();
  readonly kernelLane: KernelLane;
  /** io_submit's iocb pointer array, and the ops of the flush being submitted. */
  readonly pointers: BigUint64Array;
  readonly batch: Op[] = [];
  readonly cancelResult = new Uint8Array(32);
  /** Ops of run()/submit() requests by request, for cancel(). */
  readonly byRequest = new Map<object, Op>();
  /** Completed submit() requests not yet taken by getEvents() or events(). */
  readonly manualDone: AioEvent[] = [];
  readonly eventWaiters: Array<(result: IteratorResult<AioEvent>) => void> = [];
  /** Requests the kernel holds (in a slot), and of those, from submit() / without a signal. */
  inFlight = 0;
  manualInFlight = 0;
  silentInFlight = 0;
  /** Requests on the threadpool through node:fs. */
  laneInFlight = 0;
  /** The kernel said EAGAIN with requests in flight: wait for a completion before retrying. */
  ringFull = false;
  closing = false;
  destroyed = false;
  /** Inside a blocking call (closeSync, getEvents): routes may block instead of punting. */
  blocking = false;
  /** The EngineStats counters, in STAT_* order (a typed array: no keyed property access). */
  readonly #counters = new Float64Array(STAT_NAMES.length);
  readonly #waker: Waker;
  readonly #fixedBatch: number;
  readonly #idleWaiters: Array<() => void> = [];
  readonly #exit: { release(): void };
  #flushScheduled = false;
  #continueScheduled = false;
  /** Whether this engine is in the busy set (changed on transitions only). */
  #busy = false;
  #idleCheck = false;
  /** Whether the last pump's requests stayed in flight after it (the device holds them). */
  #deviceMode = false;
  #epoch = 0;
  #submittedNow = 0;
  #inlineNow = 0;
  /** Nesting of pump(): a re-entrant entry is deferred or refused, never interleaved. */
  #depth = 0;
  #slowWritesUntil = 0;
  #stragglerTimer: ReturnType<typeof setTimeout> | null = null;
  #stragglerDelay = STRAGGLER_FIRST_MS;

  constructor(options: EngineOptions) {
    this.max = options.maxRequests;
    this.#fixedBatch = options.submitBatch === 'auto' ? 0 : options.submitBatch;
    this.ctx = io_setup(this.max);
    try {
      this.#waker = createWaker(options.backend, this.#onWake, () => this.inFlight > 0);
    } catch (error) {
      io_destroy(this.ctx);
      throw error;
    }
    this.slots = new SlotTable(this.max);
    this.events = new IoEventArray(this.max);
    this.ring = new CompletionRing(this.ctx);
    this.pointers = new BigUint64Array(this.max);
    this.kernelLane = new KernelLane(this);
    // A thread's contexts are destroyed when it exits (a worker too), after the kernel is done.
    this.#exit = closeAtExit({ close: () => this.destroyNow() });
  }

  get backend(): Backend {
    return this.#waker.backend;
  }

  /** The eventfd the context's iocbs signal. */
  get efd(): number {
    return this.#waker.fd;
  }

  /** Iocbs per io_submit call now. */
  get submitBatch(): number {
    if (this.#fixedBatch > 0) return this.#fixedBatch;
    return Math.min(this.#deviceMode ? SUBMIT_BATCH_DEVICE : SUBMIT_BATCH_INLINE, this.max);
  }

  /** A snapshot of the counters. */
  get stats(): EngineStats {
    const c = this.#counters;
    const stats = {} as EngineStats;
    STAT_NAMES.forEach((name, i) => {
      stats[name] = c[i]!;
    });
    return stats;
  }

  /** Counts one of the events EngineStats names (STAT_*). */
  count(stat: number): void {
    this.#counters[stat]!++;
  }

  /** True while inline writes should go to the threadpool (one was slow lately). */
  get writesSlow(): boolean {
    return this.#slowWritesUntil !== 0 && now() < this.#slowWritesUntil;
  }

  /**
   * An io_submit with an inline buffered write among its iocbs took `ms`: past `slowMs`
   * (dirty-page throttling, a journal wait), writes go to the threadpool for a while.
   */
  noteSlowWrites(ms: number, slowMs: number): void {
    if (ms > slowMs) this.#slowWritesUntil = now() + SLOW_COOLDOWN_MS;
  }

  /** The error of the last op prepareOp() or submitBatch() could not submit. */
  failure: Error | null = null;

  /** Returns and clears `failure`. */
  takeFailure(): Error | null {
    const error = this.failure;
    this.failure = null;
    return error;
  }

  /** Queues `op` for the next flush and returns its promise. */
  enqueue<T>(op: Op): Promise<T> {
    if (this.closing || this.destroyed) {
      return PromiseCtor.reject(new ContextClosedError()) as Promise<T>;
    }
    const signal = op.signal;
    if (signal !== null && abortSignalAborted(signal)) {
      return PromiseCtor.reject(new AbortError(abortSignalReason(signal))) as Promise<T>;
    }
    opBeingPromised = op;
    const promise = new PromiseCtor<T>(
      takeResolvers as (resolve: (value: T) => void, reject: Reject) => void,
    );
    if (signal !== null) {
      op.onAbort = () => abortOp(this, op);
      addEventListener(signal, 'abort', op.onAbort, { once: true });
    }
    if (op.fileHandle && holdFileHandle(op.file!)) op.held = op.file;
    if (op.request !== null) {
      this.byRequest.set(op.request, op);
      setRequestState(op.request, 'queued');
    }
    this.queue.push(op);
    if (!this.#busy) this.#setBusy(true);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotaskSafe(this.#flush);
    }
    return promise;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#continueScheduled = false;
    if (this.destroyed) return;
    if (!mayWorkNow(this.queue.size)) {
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
    if (!this.destroyed) this.pump();
  };

  /** True while the engine runs (submitting, reaping, settling). */
  get running(): boolean {
    return this.#depth > 0;
  }

  /** Throws ERR_AIO_REENTRANT when called while the engine runs (from a callback of its own). */
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
        if (this.queue.size > 0 && this.inFlight < this.max && !this.ringFull) {
          progress = submitQueued(this) > 0;
        }
        if (this.reap() > 0) progress = true;
        if (!progress || this.queue.size === 0) break;
      }
      // Requests that did not complete inside io_submit are held by the device (O_DIRECT).
      if (this.#submittedNow > 0) this.#deviceMode = this.#inlineNow < this.#submittedNow;
      if (this.silentInFlight > 0) this.#noteStragglers();
    } finally {
      this.#depth--;
    }
    this.afterChange();
  }

  /** Runs `fn` as the engine (completions it causes are processed, re-entry is refused). */
  runExclusive<T>(fn: () => T): T {
    this.#depth++;
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  /**
   * Requests submitted without the eventfd signal are still in flight: their files do not
   * complete inside io_submit after all. Later requests on them signal; these are reaped on a
   * timer (1 ms, doubling to 64 ms) since nothing else would say when they are done.
   */
  #noteStragglers(): void {
    for (const op of this.slots.occupied()) {
      if (op.silent && op.epoch === this.#epoch) this.fds.learn(op.fd, op.file, false);
    }
  }

  readonly #reapStragglers = (): void => {
    this.#stragglerTimer = null;
    this.#stragglerDelay = Math.min(this.#stragglerDelay * 2, STRAGGLER_MAX_MS);
    if (!this.destroyed) this.pump();
  };

  /** Counts an op the kernel accepted. */
  launched(op: Op): void {
    this.inFlight++;
    this.#submittedNow++;
    op.epoch = this.#epoch;
    if (op.silent) this.silentInFlight++;
    if (op.settle === SETTLE_MANUAL) this.manualInFlight++;
    if (op.request !== null) {
      this.byRequest.set(op.request, op);
      setRequestState(op.request, 'in-flight');
    }
  }

  /** Frees the slot of an op the kernel did not take (or gave back). */
  unslot(op: Op): void {
    this.slots.release(op.slot);
  }

  /** Copies completions off the ring and processes them; returns how many. */
  reap(): number {
    const events = this.events;
    const ring = this.ring;
    let total = 0;
    while (!ring.empty) {
      const n = ring.reap(events.bytes, events.length);
      this.dispatch(n);
      total += n;
    }
    return total;
  }

  /** Processes the first `n` events of the event buffer. */
  dispatch(n: number): void {
    const events = this.events;
    for (let i = 0; i < n; i++) this.complete(events.dataNumber(i), events.res(i), events.res2(i));
  }

  /** The kernel completed the op in `slot`; returns its AioEvent for run()/submit() ops. */
  complete(slot: number, res: number, res2: number, deliver = true): AioEvent | null {
    const op = this.slots.release(slot);
    if (op === null) return null;
    this.inFlight--;
    this.ringFull = false;
    if (op.silent) this.silentInFlight--;
    if (op.settle === SETTLE_MANUAL) this.manualInFlight--;
    const inline = op.epoch === this.#epoch;
    if (inline) this.#inlineNow++;
    return completeOp(this, op, res, res2, inline, deliver);
  }

  /** Puts an op that moves to another kernel phase back at the front of the queue. */
  requeue(op: Op): void {
    if (op.phase === PHASE_POLL) this.count(STAT_POLLED);
    this.queue.unshift([op]);
  }

  /** Sends what is left of `op` to the threadpool (node:fs). */
  toLane(op: Op): void {
    op.phase = PHASE_LANE;
    this.count(STAT_LANE);
    this.laneInFlight++;
    runOnLane(op, this.#laneReturned);
  }

  readonly #laneReturned = (op: Op, res: number): void => {
    this.laneInFlight--;
    laneFinished(this, op, res);
    this.afterChange();
  };

  /** Settles `op` with its total (bytes, revents) or a negative errno. */
  settle(op: Op, res: number, res2: number, deliver: boolean): AioEvent | null {
    this.#detach(op);
    if (op.settle === SETTLE_MANUAL) {
      const event = makeEvent(op, res, res2);
      if (deliver) this.#deliver(event);
      return event;
    }
    const resolve = op.resolve!;
    const reject = op.reject!;
    op.resolve = null;
    op.reject = null;
    if (op.aborted) {
      reject(new AbortError(op.signal === null ? undefined : abortSignalReason(op.signal)));
      return null;
    }
    if (op.settle === SETTLE_EVENT) {
      const event = makeEvent(op, res, res2);
      resolve(event);
      return event;
    }
    if (op.closed)
      reject(new ContextClosedError('The AioContext was closed while the request waited'));
    else if (res < 0) reject(completionError(res, op));
    else resolve(op.settle === SETTLE_VOID ? undefined : res);
    return null;
  }

  /** Rejects (with `error`, unless null) an op that never reached the kernel. */
  fail(op: Op, error: unknown): void {
    this.#detach(op);
    const reject: Reject | null = op.reject;
    op.resolve = null;
    op.reject = null;
    if (error !== null) reject?.(error);
  }

  #detach(op: Op): void {
    if (op.onAbort !== null) removeEventListener(op.signal!, 'abort', op.onAbort);
    op.onAbort = null;
    if (op.held !== null) {
      const held = op.held;
      op.held = null;
      releaseFileHandle(held);
    }
    if (op.request !== null) {
      this.byRequest.delete(op.request);
      setRequestState(op.request, op.slot < 0 && op.dropped ? 'idle' : 'done');
    }
  }

  #deliver(event: AioEvent): void {
    const waiter = this.eventWaiters.shift();
    if (waiter !== undefined) waiter({ value: event, done: false });
    else this.manualDone.push(event);
  }

  /** After any change: wake-ups, the busy set, teardown when closing and idle. */
  afterChange(): void {
    if (this.destroyed) return;
    if (this.inFlight > 0) this.#waker.arm();
    else this.#waker.disarm();
    if (this.silentInFlight > 0) {
      this.#stragglerTimer ??= setTimeout(this.#reapStragglers, this.#stragglerDelay);
    } else if (this.#stragglerTimer !== null || this.#stragglerDelay !== STRAGGLER_FIRST_MS) {
      this.#clearStragglerTimer();
    }
    const hasWork = this.inFlight > 0 || this.queue.size > 0 || this.laneInFlight > 0;
    if (hasWork && !this.#busy) this.#setBusy(true);
    if (!hasWork) {
      if (this.closing) this.destroy();
      else if (this.#busy && !this.#idleCheck) {
        // Out of the busy set at the end of the turn, not now: a loop at depth 1 would go in
        // and out of it for every request.
        this.#idleCheck = true;
        setImmediateSafe(this.#checkIdle);
      }
      return;
    }
    const canSubmit = this.inFlight < this.max && !this.ringFull;
    if (this.queue.size > 0 && canSubmit && !this.#flushScheduled && !this.#continueScheduled) {
      // Many buffered requests: go on after the loop has had a turn.
      this.#continueScheduled = true;
      setImmediateSafe(this.#flush);
    }
  }

  readonly #checkIdle = (): void => {
    this.#idleCheck = false;
    const hasWork = this.inFlight > 0 || this.queue.size > 0 || this.laneInFlight > 0;
    if (!hasWork && this.#busy && !this.destroyed) this.#setBusy(false);
  };

  #clearStragglerTimer(): void {
    if (this.#stragglerTimer !== null) clearTimeout(this.#stragglerTimer);
    this.#stragglerTimer = null;
    this.#stragglerDelay = STRAGGLER_FIRST_MS;
  }

  #setBusy(busy: boolean): void {
    this.#busy = busy;
    setBusy(this, busy);
  }

  /** Resolves once the engine is destroyed: when closing and nothing is queued or in flight. */
  whenDestroyed(): Promise<void> {
    if (this.destroyed) return PromiseCtor.resolve();
    return new PromiseCtor((resolve) => {
      this.#idleWaiters.push(resolve);
      this.afterChange();
    });
  }

  /** Waits (blocking the thread) for one or more completions and processes them. */
  waitSync(timeout: { tv_sec: bigint; tv_nsec: number } | null): number {
    for (;;) {
      try {
        const n = io_getevents(this.ctx, 1, this.max, this.events.bytes, timeout);
        this.runExclusive(() => this.dispatch(n));
        return n;
      } catch (error) {
        if ((error as AioError).code !== 'EINTR') throw error;
      }
    }
  }

  /** Called when the public owner was collected: finish in-flight work, then free. */
  abandon(): void {
    if (this.destroyed) return;
    this.closing = true;
    this.afterChange();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.#setBusy(false);
    this.#clearStragglerTimer();
    this.#exit.release();
    forgetOwner(this);
    try {
      this.#waker.close();
    } finally {
      io_destroy(this.ctx); // waits for every request still in the kernel
    }
    for (const waiter of this.eventWaiters.splice(0)) waiter({ value: undefined, done: true });
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /**
   * At thread exit: no more event-loop turns will come, so destroy now (io_destroy waits for
   * the kernel to finish with every buffer). Lane calls already running are waited for by node.
   */
  destroyNow(): void {
    if (this.destroyed) return;
    this.closing = true;
    this.destroy();
  }
}
