// The completions of submit()-ed requests, waiting for getEvents() or events() to take them.
// Their owner is the engine, which delivers; the manual API only takes and waits.

/** A waiting events() iterator's resolver. */
export type EventWaiter<E> = (result: IteratorResult<E>) => void;

export class CompletedEvents<E> {
  readonly #done: E[] = [];
  readonly #waiters: Array<EventWaiter<E>> = [];

  /** Hands `event` to the first waiting iterator, or keeps it for the next taker. */
  deliver(event: E): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter({ value: event, done: false });
    else this.#done.push(event);
  }

  /** Moves kept events into `out` until it holds `max`. */
  takeInto(out: E[], max: number): void {
    const done = this.#done;
    while (out.length < max && done.length > 0) out.push(done.shift()!);
  }

  /** The oldest kept event, removed, or undefined. */
  take(): E | undefined {
    return this.#done.shift();
  }

  /** Waits for the next delivered event (or the end). */
  wait(waiter: EventWaiter<E>): void {
    this.#waiters.push(waiter);
  }

  /** Stops waiting (an iterator returned early); true when it was still waiting. */
  unwait(waiter: EventWaiter<E>): boolean {
    const at = this.#waiters.indexOf(waiter);
    if (at < 0) return false;
    this.#waiters.splice(at, 1);
    return true;
  }

  /** The engine is gone: every waiting iterator ends. */
  end(): void {
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
  }
}
