// Fairness: requests that complete inside io_submit (page-cache hits) settle their Promises at
// once, and a loop that awaits them submits the next one in a microtask, so without a limit
// such a chain never gives the event loop a turn: timers, sockets and other contexts starve
// (measured on the old engine: one timer tick in 3 s of cached reads). Every context of a
// thread shares one budget of inline work per turn of the event loop; once it is spent, the
// next flush waits for a macrotask (setImmediate), and the loop runs everything else first.
import { now, setImmediateSafe } from './primordials.js';

/**
 * Inline work allowed per event-loop turn. 1 ms keeps a 1 ms timer on time while costing
 * cached throughput about 1% (one setImmediate, a few µs, per millisecond of work).
 */
export const TURN_BUDGET_MS = 1;

let started = 0;
let marked = false;
let spent = false;
let checks = 0;
/** The clock is read at every CLOCK_EVERY-th check (it costs ~50 ns; a check is one flush). */
const CLOCK_EVERY = 4;

// Runs after the current turn's I/O callbacks and microtasks: the next turn starts afresh.
// (A turn can end sooner without this noticing, e.g. inside a timer callback: then the budget
// only errs on the early side.)
function endTurn(): void {
  marked = false;
  spent = false;
}

/** True when inline work may go on in this turn; false when it must wait for a macrotask. */
export function mayWorkNow(): boolean {
  if (!marked) {
    marked = true;
    checks = 0;
    started = now();
    setImmediateSafe(endTurn);
    return true;
  }
  if (spent) return false;
  if (++checks % CLOCK_EVERY !== 0) return true;
  spent = now() - started >= TURN_BUDGET_MS;
  return !spent;
}
