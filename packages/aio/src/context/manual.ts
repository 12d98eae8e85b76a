// linux_aio-style collection of submit()-ed requests: getEvents() blocks like io_getevents;
// events() yields them on the event loop.
import { InvalidArgTypeError, OutOfRangeError } from '@aio/bind';
import { validateInteger } from '@aio/bind/internal';
import type { Engine } from '../engine/engine.js';
import type { EventWaiter } from '../engine/manual-events.js';
import type { AioEvent } from '../requests/event.js';

const NS = 1_000_000_000n;
const INT_MAX = 0x7fff_ffff;

/** Checks getEvents()' arguments; returns the timeout in ns, or null for none. */
export function validateGetEvents(
  minNr: unknown,
  maxNr: unknown,
  timeoutNs: unknown,
): bigint | null {
  validateInteger(minNr, 'minNr', 0, INT_MAX);
  validateInteger(maxNr, 'maxNr', 0, INT_MAX);
  if (minNr > maxNr) throw new OutOfRangeError('minNr', `<= maxNr (${maxNr})`, minNr);
  if (timeoutNs === undefined) return null;
  if (typeof timeoutNs === 'number') {
    validateInteger(timeoutNs, 'timeoutNs', 0, Number.MAX_SAFE_INTEGER);
    return BigInt(timeoutNs);
  }
  if (typeof timeoutNs !== 'bigint')
    throw new InvalidArgTypeError('timeoutNs', 'of type number or bigint', timeoutNs);
  if (timeoutNs < 0n) throw new OutOfRangeError('timeoutNs', '>= 0', timeoutNs);
  return timeoutNs;
}

/** getEvents(): waits only while fewer than minNr are available and some are still in flight. */
export function collectEvents(
  engine: Engine<AioEvent>,
  minNr: number,
  maxNr: number,
  timeoutNs: bigint | null,
): AioEvent[] {
  engine.assertNotRunning('getEvents()');
  const out: AioEvent[] = [];
  engine.completed.takeInto(out, maxNr);
  if (engine.destroyed) return out;
  // getEvents() blocks by contract: what would go to the threadpool is submitted plainly
  // meanwhile (no threadpool callback can run while this thread waits).
  engine.whileBlocking(() => {
    engine.pump();
    engine.kernelLane.drainSync();
    engine.completed.takeInto(out, maxNr);
    const deadline = timeoutNs === null ? null : process.hrtime.bigint() + timeoutNs;
    while (out.length < minNr && engine.manualInFlight > 0 && !engine.destroyed) {
      let timeout: { tv_sec: bigint; tv_nsec: number } | null = null;
      if (deadline !== null) {
        const left = deadline - process.hrtime.bigint();
        if (left <= 0n) break;
        timeout = { tv_sec: left / NS, tv_nsec: Number(left % NS) };
      }
      engine.waitSync(timeout);
      engine.pump(); // resubmits what a completion moved to another phase
      engine.completed.takeInto(out, maxNr);
    }
  });
  engine.afterChange();
  return out;
}

type Waiter = EventWaiter<AioEvent>;

/** events(): one iterator; several may run, each event goes to one of them. */
export function eventIterator(engine: Engine<AioEvent>): AsyncIterableIterator<AioEvent> {
  let finished = false;
  let pending: Waiter | null = null;
  const done: IteratorResult<AioEvent> = { value: undefined, done: true };
  const iterator: AsyncIterableIterator<AioEvent> = {
    next(): Promise<IteratorResult<AioEvent>> {
      if (finished) return Promise.resolve(done);
      const event = engine.completed.take();
      if (event !== undefined) return Promise.resolve({ value: event, done: false });
      if (engine.destroyed) {
        finished = true;
        return Promise.resolve(done);
      }
      return new Promise((resolve) => {
        const waiter: Waiter = (result) => {
          pending = null;
          if (result.done) finished = true;
          resolve(result);
        };
        pending = waiter;
        engine.completed.wait(waiter);
      });
    },
    return(): Promise<IteratorResult<AioEvent>> {
      finished = true;
      if (pending !== null) {
        const waiter = pending;
        engine.completed.unwait(waiter);
        waiter(done);
      }
      return Promise.resolve(done);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
