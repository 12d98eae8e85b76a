// The kernel lane: an io_submit made on the libuv threadpool, without RWF_NOWAIT, for the
// requests that must not wait on the event loop's thread but that node:fs cannot run as asked:
// those of submit() (their completion must arrive on the ring, for getEvents() and events())
// and writes with RWF_DSYNC, RWF_SYNC, a priority or RWF_APPEND on an fd without O_APPEND.
// The request keeps its slot: its iocb is read by the pool thread's io_submit, and it completes
// on the ring like any other (the eventfd wakes the loop). koffi allows a bounded number of
// concurrent calls, so at most LANE_CALLS run at once and the rest wait here.
import { io_submit } from '@aio/bind';
import { submitOnThreadpool } from '@aio/bind/internal';
import type { Op } from './op.js';

/** The most kernel-lane io_submit calls running at once (koffi allows 256 async calls). */
export const LANE_CALLS = 64;

/** What the kernel lane needs of its engine. */
export interface LaneHost {
  readonly ctx: bigint;
  readonly slots: { readonly iocbs: { readonly addresses: BigUint64Array } };
  launched(op: Op): void;
  /** The kernel refused the op's iocb: complete it with `res` (a negative errno). */
  complete(slot: number, res: number, res2: number): unknown;
  afterChange(): void;
}

export class KernelLane {
  readonly #host: LaneHost;
  readonly #waiting: Op[] = [];
  #running = 0;

  constructor(host: LaneHost) {
    this.#host = host;
  }

  /** Requests waiting for a free call. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Submits the op (already encoded in its slot) on the threadpool, now or when a call frees. */
  start(op: Op): void {
    this.#host.launched(op);
    if (this.#running < LANE_CALLS) this.#run(op);
    else this.#waiting.push(op);
  }

  #run(op: Op): void {
    this.#running++;
    const pointers = new BigUint64Array(1);
    pointers[0] = this.#host.slots.iocbs.addresses[op.slot]!;
    op.lanePointers = pointers;
    submitOnThreadpool(this.#host.ctx, pointers, 1, (error) => {
      this.#running--;
      op.lanePointers = null;
      // Accepted: its completion arrives on the ring. Refused: nothing will come, settle it.
      if (error !== null) this.#host.complete(op.slot, error.errno, 0);
      const next = this.#waiting.shift();
      if (next !== undefined) this.#run(next);
      this.#host.afterChange();
    });
  }

  /**
   * Submits the waiting requests on this thread, blocking: for closeSync() and getEvents(),
   * which block by contract and during which no threadpool callback can run.
   */
  drainSync(): void {
    const host = this.#host;
    for (let op = this.#waiting.shift(); op !== undefined; op = this.#waiting.shift()) {
      const pointers = host.slots.iocbs.addresses.subarray(op.slot, op.slot + 1);
      try {
        io_submit(host.ctx, pointers, 1);
      } catch (error) {
        host.complete(op.slot, (error as { errno: number }).errno, 0);
      }
    }
  }
}
