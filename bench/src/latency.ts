// Per-request latency, sampled: 1 request in SAMPLE_EVERY is timed with two performance.now()
// calls, from the call that issues it to the code that runs after it completed, into a
// preallocated array. timerCostNs() measures what a timed request costs, and the iops report
// states the resulting share of the fastest participant's time per request.
import { percentile } from './stats.js';

export const SAMPLE_EVERY = 8;

/** Latency percentiles of one run, in microseconds. */
export interface Latency {
  p50us: number;
  p99us: number;
  p999us: number;
  samples: number;
}

export class LatencySampler {
  readonly #values: Float64Array;
  #count = 0;

  constructor(capacity = 1 << 17) {
    this.#values = new Float64Array(capacity);
  }

  /** Records one latency in milliseconds (performance.now() units); drops it when full. */
  add(ms: number): void {
    if (this.#count < this.#values.length) this.#values[this.#count++] = ms * 1000;
  }

  summary(): Latency | null {
    if (this.#count === 0) return null;
    const v = this.#values.subarray(0, this.#count);
    return {
      p50us: percentile(v, 50),
      p99us: percentile(v, 99),
      p999us: percentile(v, 99.9),
      samples: this.#count,
    };
  }
}

/** Field-wise medians of the rounds' percentiles. */
export function medianLatency(list: ReadonlyArray<Latency | null>): Latency | undefined {
  const got = list.filter((l): l is Latency => l !== null);
  if (got.length === 0) return undefined;
  const mid = (f: (l: Latency) => number) => got.map(f).sort((a, b) => a - b)[got.length >> 1]!;
  return {
    p50us: mid((l) => l.p50us),
    p99us: mid((l) => l.p99us),
    p999us: mid((l) => l.p999us),
    samples: got.reduce((a, l) => a + l.samples, 0),
  };
}

// Stored where the optimiser cannot prove it unused, so the timed calls are not removed.
export let timerSink = 0;

/** Nanoseconds one performance.now() call costs here. */
export function timerCostNs(): number {
  const n = 200_000;
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sum += performance.now();
  timerSink = sum;
  return ((performance.now() - t0) * 1e6) / n;
}

const us = (v: number) =>
  v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v >= 10 ? `${Math.round(v)}` : v.toFixed(1);

/** "p50 / p99 / p99.9" in µs. */
export function latencyCell(l: Latency | null | undefined): string {
  return l ? `${us(l.p50us)} / ${us(l.p99us)} / ${us(l.p999us)}` : '';
}
