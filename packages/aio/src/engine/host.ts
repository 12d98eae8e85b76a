// What the engine's parts (submission.ts, completions.ts, cancellation.ts) may see and do of
// the engine. Engine implements it; the parts import only this, so the engine's state has one
// writer (engine.ts) and the parts change it through these methods alone.
import type { FdTable } from './fd-info.js';
import type { KernelLane } from './kernel-lane.js';
import type { Op } from './op.js';
import type { SlotTable } from './slots.js';

export interface EngineHost {
  /** The kernel context (aio_context_t). */
  readonly ctx: bigint;
  /** Requests the kernel may hold at once (io_setup's nr_events). */
  readonly max: number;
  /** The iocb slots (read-only here: takeSlot() and unslot() change them). */
  readonly slots: Readonly<Pick<SlotTable, 'iocbs' | 'occupied'>>;
  readonly fds: FdTable;
  readonly kernelLane: KernelLane;
  /** The eventfd the context's iocbs signal. */
  readonly efd: number;
  /** Requests the kernel holds now. */
  readonly inFlight: number;
  /** Inside a blocking call (closeSync, getEvents): routes may block instead of punting. */
  readonly blocking: boolean;
  /** close() was called: waits that could last forever are cancelled. */
  readonly closing: boolean;
  /** True while the engine runs (submitting, reaping, settling). */
  readonly running: boolean;
  /** Iocbs per io_submit call now. */
  readonly submitBatch: number;
  /** True while buffered writes should go to the threadpool (an inline one was slow lately). */
  readonly writesSlow: boolean;

  /** Queued requests. */
  readonly queued: number;
  /** The next queued op, removed from the queue, or undefined. */
  takeQueued(): Op | undefined;
  /** Puts ops the kernel had no room for back at the front of the queue, in order. */
  returnQueued(ops: Op[]): void;
  /** Removes a queued op (aborted, cancelled, or closed while waiting). */
  removeQueued(op: Op): void;
  /** A copy of the queued ops still live. */
  queuedOps(): Op[];
  /** Gives `op` a free slot; returns its index. */
  takeSlot(op: Op): number;
  /** Counts one event of kind `stat` (STAT_* of stats.ts). */
  count(stat: number): void;
  /** The kernel accepted `op`. */
  launched(op: Op): void;
  /** Frees the slot of an op the kernel did not take (or gave back). */
  unslot(op: Op): void;
  /** io_submit said EAGAIN with requests in flight: wait for a completion before submitting. */
  noteRingFull(): void;
  /** An io_submit holding an inline buffered write took `ms` (slow past `slowMs`). */
  noteSlowWrites(ms: number, slowMs: number): void;
  /** Puts an op that moves to another kernel phase back at the front of the queue. */
  requeue(op: Op): void;
  /** Sends what is left of `op` to the threadpool (node:fs). */
  toLane(op: Op): void;
  /** Copies completions off the ring and processes them; returns how many. */
  reap(): number;
  /** The kernel completed the op in `slot`; returns the event of a run()/submit() op. */
  complete(slot: number, res: number, res2: number, deliver?: boolean): object | null;
  /** Settles `op` with its total (bytes, revents) or a negative errno. */
  settle(op: Op, res: number, res2: number, deliver: boolean): object | null;
  /** Rejects (with `error`, unless null) an op that never reached the kernel. */
  fail(op: Op, error: unknown): void;
  /** The event a run()/submit() op settles with. */
  makeEvent(op: Op, res: number, res2: number): object;
  /** Throws ERR_AIO_REENTRANT when called while the engine runs. */
  assertNotRunning(what: string): void;
  /** Runs `fn` as the engine (completions it causes are processed, re-entry is refused). */
  runExclusive<T>(fn: () => T): T;
  /** After any change: wake-ups, the busy set, teardown when closing and idle. */
  afterChange(): void;
}
