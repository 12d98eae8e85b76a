// How responsive an event loop stayed during a measurement: a 1 ms setInterval records the
// longest gap between its ticks (a page-cache miss inside io_submit shows up here as one long
// gap), and perf_hooks.monitorEventLoopDelay gives the lag distribution. Used inside each HTTP
// server process and on the main thread of `pnpm bench workers`.
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopStats {
  /** Longest time between two ticks of the 1 ms interval, ms. */
  maxGapMs: number;
  /** 99th percentile of the event-loop delay, ms. */
  p99LagMs: number;
  /** Ticks of the 1 ms interval over the window (about 1000/s on an idle loop). */
  ticks: number;
  seconds: number;
}

export class LoopMonitor {
  #timer: NodeJS.Timeout | null = null;
  #histogram: IntervalHistogram | null = null;
  #started = 0;
  #last = 0;
  #maxGap = 0;
  #ticks = 0;

  start(): void {
    this.stop();
    this.#histogram = monitorEventLoopDelay({ resolution: 1 });
    this.#histogram.enable();
    this.#started = performance.now();
    this.#last = this.#started;
    this.#maxGap = 0;
    this.#ticks = 0;
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#maxGap = Math.max(this.#maxGap, now - this.#last);
      this.#last = now;
      this.#ticks++;
    }, 1);
  }

  /** Stops the window; the gap still open at the end counts too. */
  stop(): LoopStats {
    const now = performance.now();
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    const histogram = this.#histogram;
    this.#histogram = null;
    histogram?.disable();
    // An empty histogram reports a huge percentile: no samples means no measured lag.
    const p99 = histogram && histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    return {
      maxGapMs: Math.max(this.#maxGap, now - this.#last),
      p99LagMs: p99,
      ticks: this.#ticks,
      seconds: (now - this.#started) / 1000,
    };
  }
}
