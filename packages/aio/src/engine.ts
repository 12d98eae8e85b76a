// The machinery behind an AioContext: requests queue up during a tick and go to the kernel in
// one microtask (submission.ts); the ring is reaped right after each submit (buffered I/O
// completes inside io_submit) and whenever the eventfd says more arrived. Every Op sits in a
// slot, pinning its buffers, from submit until it is reaped.
//
// The engine never references the public AioContext, so a dropped context can be collected
// and finalized while the engine finishes its in-flight work (see lifetime.ts). It is not
// exported from the package: its fields are shared with submission.ts and cancellation.ts.
import {
  type AioError,
  CompletionRing,
  IoEventArray,
  io_destroy,
  io_getevents,
  io_setup,
} from '@aio/bind';
import { abortOp } from './cancellation.js';
import { AbortError, ContextClosedError, completionError } from './errors.js';
import { type AioEvent, makeEvent } from './event.js';
import { FdGuard } from './fd-guard.js';
import { forgetOwner, type Managed, setBusy } from './lifetime.js';
import {
  type Op,
  type Reject,
  type Resolve,
  SETTLE_EVENT,
  SETTLE_MANUAL,
  SETTLE_VOID,
} from './op.js';
import { OpQueue } from './queue.js';
import { setRequestState } from './request.js';
import { SlotTable } from './slots.js';
import { submitQueued } from './submission.js';
import { type Backend, createWaker, type Waker } from './waker.js';

const MAX_ROUNDS = 16;
/** First and longest wait between reaps of requests that signal no eventfd (see fd-guard.ts). */
const STRAGGLER_FIRST_MS = 1;
const STRAGGLER_MAX_MS = 64;

export interface EngineOptions {
  maxRequests: number;
  backend: Backend | 'auto';
  /** Iocbs per io_submit, or 'auto' (see SUBMIT_BATCH_INLINE / SUBMIT_BATCH_DEVICE). */
  submitBatch: number | 'auto';
}

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
  readonly guard = new FdGuard();
  /** io_submit's iocb pointer array, and the ops of the flush being submitted. */
  readonly pointers: BigUint64Array;
  readonly batch: Op[] = [];
  readonly cancelResult = new Uint8Array(32);
  /** Ops of run()/submit() requests by request, for cancel(). */
  readonly byRequest = new Map<object, Op>();
  /** Completed submit() requests not yet taken by getEvents() or events(). */
  readonly manualDone: AioEvent[] = [];
  readonly eventWaiters: Array<(result: IteratorResult<AioEvent>) => void> = [];
  /** Requests the kernel holds (submitted, not yet reaped); of those, from submit(). */
  inFlight = 0;
  manualInFlight = 0;
  /** Of those, submitted without the eventfd signal (op.silent). */
  silentInFlight = 0;
  /** The kernel said EAGAIN with requests in flight: wait for a completion before retrying. */
  ringFull = false;
  closing = false;
  destroyed = false;
  readonly #waker: Waker;
  readonly #fixedBatch: number;
  readonly #idleWaiters: Array<() => void> = [];
  #flushScheduled = false;
  #continueScheduled = false;
  /** Whether this engine is in the busy set (changed on transitions only). */
  #busy = false;
  /** Whether the last pump's requests stayed in flight after it (the device holds them). */
  #deviceMode = false;
  #epoch = 0;
  #submittedNow = 0;
  #inlineNow = 0;
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

  /** Queues `op` for the next flush and returns its promise. */
  enqueue<T>(op: Op): Promise<T> {
    const signal = op.signal;
    if (signal?.aborted) return Promise.reject(new AbortError(signal.reason));
    opBeingPromised = op;
    const promise = new Promise<T>(
      takeResolvers as (resolve: (value: T) => void, reject: Reject) => void,
    );
    if (signal !== null) {
      op.onAbort = () => abortOp(this, op);
      signal.addEventListener('abort', op.onAbort, { once: true });
    }
    if (op.request !== null) {
      this.byRequest.set(op.request, op);
      setRequestState(op.request, 'queued');
    }
    this.queue.push(op);
    if (!this.#busy) this.#setBusy(true);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flush);
    }
    return promise;
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#continueScheduled = false;
    if (!this.destroyed) this.pump();
  };

  readonly #onWake = (): void => {
    if (!this.destroyed) this.pump();
  };

  /** Submits what fits, reaps what completed, until neither makes progress. */
  pump(): void {
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
    this.afterChange();
  }

  /**
   * Requests submitted without the eventfd signal are still in flight: their files do not
   * complete inside io_submit after all. Later requests on them signal; these are reaped on a
   * timer (1 ms, doubling to 64 ms) since nothing else would say when they are done.
   */
  #noteStragglers(): void {
    for (const op of this.slots.occupied()) {
      if (op.silent && op.epoch === this.#epoch) this.guard.completesLater(op.handle);
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

  /** Copies completions off the ring and settles them; returns how many. */
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

  /** Settles the first `n` events of the event buffer. */
  dispatch(n: number): void {
    const events = this.events;
    for (let i = 0; i < n; i++) this.complete(events.dataNumber(i), events.res(i), events.res2(i));
  }

  /** Settles the op in `slot`; returns its AioEvent for run()/submit() ops. */
  complete(slot: number, res: number, res2: number, deliver = true): AioEvent | null {
    const op = this.slots.release(slot);
    if (op === null) return null;
    this.inFlight--;
    this.ringFull = false;
    if (op.silent) this.silentInFlight--;
    if (op.epoch === this.#epoch) this.#inlineNow++;
    if (op.settle === SETTLE_MANUAL) this.manualInFlight--;
    return this.#settle(op, res, res2, deliver);
  }

  #settle(op: Op, res: number, res2: number, deliver: boolean): AioEvent | null {
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
      reject(new AbortError(op.signal?.reason));
      return null;
    }
    if (op.settle === SETTLE_EVENT) {
      const event = makeEvent(op, res, res2);
      resolve(event);
      return event;
    }
    if (op.closed)
      reject(new ContextClosedError('The AioContext was closed while the poll waited'));
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
    if (op.onAbort !== null) op.signal!.removeEventListener('abort', op.onAbort);
    op.onAbort = null;
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
    const hasWork = this.inFlight > 0 || this.queue.size > 0;
    if (hasWork !== this.#busy) this.#setBusy(hasWork);
    if (!hasWork) {
      if (this.closing) this.destroy();
      return;
    }
    const canSubmit = this.inFlight < this.max && !this.ringFull;
    if (this.queue.size > 0 && canSubmit && !this.#flushScheduled && !this.#continueScheduled) {
      // Many buffered requests: go on after the loop has had a turn.
      this.#continueScheduled = true;
      setImmediate(this.#flush);
    }
  }

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
    if (this.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve);
      this.afterChange();
    });
  }

  /** Waits (blocking the thread) for one or more completions and settles them. */
  waitSync(timeout: { tv_sec: bigint; tv_nsec: number } | null): number {
    for (;;) {
      try {
        const n = io_getevents(this.ctx, 1, this.max, this.events.bytes, timeout);
        this.dispatch(n);
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
    forgetOwner(this);
    try {
      this.#waker.close();
    } finally {
      io_destroy(this.ctx);
    }
    for (const waiter of this.eventWaiters.splice(0)) waiter({ value: undefined, done: true });
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
