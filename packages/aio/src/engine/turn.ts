// Fairness: requests that complete inside io_submit (page-cache hits) settle their Promises at
// once, and a loop that awaits them submits the next one in a microtask, so without a limit
// such a chain never gives the event loop a turn: timers, sockets and other contexts starve
// (measured on the old engine: one timer tick in 3 s of cached reads). Every context of a
// thread shares one budget of inline work per turn of the event loop; once it is spent, the
// next flush waits for a macrotask (setImmediate), and the loop runs everything else first.
import { now, setImmediateSafe } from '../primordials.js';

/**
 * Inline work allowed per event-loop turn. Measured here with 4 KiB cached reads (32 in
 * flight; an idle loop ticks a 1 ms timer 0.92 times per ms): a 1 ms budget checked every 4th
 * flush let it tick 0.60-0.62 times per ms (turns overshot to 1.4 ms, and a scavenge on top
 * makes a gap); 0.5 ms checked at every flush of 32 0.78-0.84, at no throughput cost within
 * this VM's noise (one setImmediate, a few µs, per turn).
 */
export const TURN_BUDGET_MS = 0.5;

let started = 0;
let marked = false;
let spent = false;
/** Requests flushed since the clock was last read (it costs ~50 ns: read it every 8). */
let sinceClock = 0;
const CLOCK_EVERY = 8;

// Runs after the current turn's I/O callbacks and microtasks: the next turn starts afresh.
// (A turn can end sooner without this noticing, e.g. inside a timer callback: then the budget
// only errs on the early side.)
function endTurn(): void {
  marked = false;
  spent = false;
}

/**
 * True when a flush of `requests` requests may run in this turn; false when it must wait for a
 * macrotask. The clock is read once per CLOCK_EVERY requests flushed (a flush of 32 cached
 * reads takes ~100 µs, one of 1 about 4 µs).
 */
export function mayWorkNow(requests: number): boolean {
  if (!marked) {
    marked = true;
    started = now();
    sinceClock = 0;
    setImmediateSafe(endTurn);
    return true;
  }
  if (spent) return false;
  sinceClock += requests;
  if (sinceClock < CLOCK_EVERY) return true;
  sinceClock = 0;
  spent = now() - started >= TURN_BUDGET_MS;
  return !spent;
}
