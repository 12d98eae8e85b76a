// linux_aio-style collection of submit()-ed requests: getEvents() blocks like io_getevents;
// events() yields them on the event loop.
import type { Engine } from './engine.js';
import type { AioEvent } from './event.js';

const NS = 1_000_000_000n;

function take(engine: Engine, out: AioEvent[], maxNr: number): void {
  while (out.length < maxNr && engine.manualDone.length > 0) out.push(engine.manualDone.shift()!);
}

/** getEvents(): waits only while fewer than minNr are available and some are still in flight. */
export function collectEvents(
  engine: Engine,
  minNr: number,
  maxNr: number,
  timeoutNs: bigint | null,
): AioEvent[] {
  engine.assertNotRunning('getEvents()');
  const out: AioEvent[] = [];
  take(engine, out, maxNr);
  if (engine.destroyed) return out;
  // getEvents() blocks by contract: what would go to the threadpool is submitted plainly
  // meanwhile (no threadpool callback can run while this thread waits).
  engine.blocking = true;
  try {
    engine.pump();
    engine.kernelLane.drainSync();
    take(engine, out, maxNr);
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
      take(engine, out, maxNr);
    }
  } finally {
    engine.blocking = false;
  }
  engine.afterChange();
  return out;
}

type Waiter = (result: IteratorResult<AioEvent>) => void;

/** events(): one iterator; several may run, each event goes to one of them. */
export function eventIterator(engine: Engine): AsyncIterableIterator<AioEvent> {
  let finished = false;
  let pending: Waiter | null = null;
  const done: IteratorResult<AioEvent> = { value: undefined, done: true };
  const iterator: AsyncIterableIterator<AioEvent> = {
    next(): Promise<IteratorResult<AioEvent>> {
      if (finished) return Promise.resolve(done);
      const event = engine.manualDone.shift();
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
        engine.eventWaiters.push(waiter);
      });
    },
    return(): Promise<IteratorResult<AioEvent>> {
      finished = true;
      if (pending !== null) {
        const waiter = pending;
        const at = engine.eventWaiters.indexOf(waiter);
        if (at >= 0) engine.eventWaiters.splice(at, 1);
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
