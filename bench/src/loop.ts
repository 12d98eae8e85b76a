// The event-loop metric of every case: what a server's timers would have seen while the I/O
// ran. A 1 ms setInterval counts its ticks and the longest gap between two of them (a loop
// blocked inside a syscall shows as one long gap); perf_hooks' monitorEventLoopDelay (1 ms
// resolution) gives the p99 of the lag. Ticks are compared with those of an idle loop over
// the same duration, measured once per run in the same process.
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** What one probe saw. */
export interface LoopSample {
  ms: number;
  ticks: number;
  maxGapMs: number;
  /** p99 of the event-loop delay; null when the loop never turned (no sample). */
  p99LagMs: number | null;
}

/** The idle loop's ticks over `ms`, the yardstick of ticksPct. */
export interface IdleBaseline {
  ms: number;
  ticks: number;
}

/** A LoopSample against the idle baseline: what the tables and floors use. */
export interface LoopStat {
  maxGapMs: number;
  p99LagMs: number | null;
  /** Timer ticks per second as a percentage of the idle loop's. */
  ticksPct: number;
}

export class LoopProbe {
  readonly #histogram = monitorEventLoopDelay({ resolution: 1 });
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #start: number;
  #last: number;
  #ticks = 0;
  #maxGap = 0;
  #excluded = 0;

  constructor() {
    this.#start = performance.now();
    this.#last = this.#start;
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#maxGap = Math.max(this.#maxGap, now - this.#last);
      this.#last = now;
      this.#ticks++;
    }, 1);
  }

  /** Runs `work` (the bench's own bookkeeping, e.g. eviction) without charging its time. */
  exclude<T>(work: () => T): T {
    this.#histogram.disable();
    const t0 = performance.now();
    this.#maxGap = Math.max(this.#maxGap, t0 - this.#last);
    try {
      return work();
    } finally {
      this.#last = performance.now();
      this.#excluded += this.#last - t0;
      this.#histogram.enable();
    }
  }

  /** Stops; the time since the last tick counts as a gap (a loop blocked up to the end). */
  stop(): LoopSample {
    const now = performance.now();
    clearInterval(this.#timer);
    this.#histogram.disable();
    const h = this.#histogram;
    return {
      ms: now - this.#start - this.#excluded,
      ticks: this.#ticks,
      maxGapMs: Math.max(this.#maxGap, now - this.#last),
      p99LagMs: h.count > 0 ? h.percentile(99) / 1e6 : null,
    };
  }
}

/** Runs `work` under a probe. */
export async function probed<T>(
  work: () => Promise<T> | T,
): Promise<{ value: T; loop: LoopSample }> {
  const probe = new LoopProbe();
  try {
    const value = await work();
    return { value, loop: probe.stop() };
  } catch (error) {
    probe.stop();
    throw error;
  }
}

/** An idle loop's ticks over `ms` (nothing else running in the process). */
export async function idleBaseline(ms: number): Promise<IdleBaseline> {
  const { loop } = await probed(() => new Promise((resolve) => setTimeout(resolve, ms)));
  return { ms: loop.ms, ticks: loop.ticks };
}

export function loopStat(sample: LoopSample, idle: IdleBaseline): LoopStat {
  const rate = sample.ms > 0 ? sample.ticks / sample.ms : 0;
  return {
    maxGapMs: sample.maxGapMs,
    p99LagMs: sample.p99LagMs,
    ticksPct: idle.ticks > 0 ? (rate / (idle.ticks / idle.ms)) * 100 : 0,
  };
}

const mid = (values: number[]) => values.slice().sort((a, b) => a - b)[values.length >> 1]!;

/** Field-wise medians of the rounds' stats (a null p99 counts as the round's longest gap). */
export function medianLoop(stats: readonly LoopStat[]): LoopStat | undefined {
  if (stats.length === 0) return undefined;
  return {
    maxGapMs: mid(stats.map((s) => s.maxGapMs)),
    p99LagMs: mid(stats.map((s) => s.p99LagMs ?? s.maxGapMs)),
    ticksPct: mid(stats.map((s) => s.ticksPct)),
  };
}

const ms = (v: number) => (v >= 100 ? `${Math.round(v)}` : v >= 10 ? v.toFixed(1) : v.toFixed(2));

/** "longest gap ms / p99 lag ms / ticks %", or "n/a" for a participant without a loop. */
export function loopCell(stat: LoopStat | null | undefined): string {
  if (stat === null) return 'n/a';
  if (stat === undefined) return '';
  return `${ms(stat.maxGapMs)} / ${stat.p99LagMs === null ? '–' : ms(stat.p99LagMs)} / ${Math.round(stat.ticksPct)}%`;
}

export const LOOP_LEGEND =
  'Loop: longest gap between ticks of a 1 ms setInterval (ms) / p99 event-loop delay from ' +
  'monitorEventLoopDelay (ms) / timer ticks per second as % of an idle loop in the same ' +
  'process (above 100% happens: an idle loop sleeps past the 1 ms mark in epoll, a busy one ' +
  'checks its timers more often); medians over the rounds. n/a: another process, which has no ' +
  'event loop.';
