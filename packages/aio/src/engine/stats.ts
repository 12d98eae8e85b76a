// Where a context's requests went, counted in a typed array (no keyed property access on the
// hot path); `ctx.stats` turns the counters into an object.

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

/** EngineStats' names, in the order of the STAT_* indexes. */
const STAT_NAMES = ['inline', 'device', 'lane', 'polled', 'submits', 'wakeups', 'yields'] as const;
export const STAT_INLINE = 0;
export const STAT_DEVICE = 1;
export const STAT_LANE = 2;
export const STAT_POLLED = 3;
export const STAT_SUBMITS = 4;
export const STAT_WAKEUPS = 5;
export const STAT_YIELDS = 6;

/** One engine's counters. */
export class Counters {
  readonly #values = new Float64Array(STAT_NAMES.length);

  /** Counts one event of kind `stat` (a STAT_* index). */
  count(stat: number): void {
    this.#values[stat]!++;
  }

  /** A snapshot as an object. */
  snapshot(): EngineStats {
    const stats = {} as EngineStats;
    STAT_NAMES.forEach((name, i) => {
      stats[name] = this.#values[i]!;
    });
    return stats;
  }
}
