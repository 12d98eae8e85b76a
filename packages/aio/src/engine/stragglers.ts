// Requests submitted without the eventfd signal (their file completed inside io_submit until
// now) that stayed in flight: nothing would say when they are done, so they are reaped on a
// timer, 1 ms first, doubling to 64 ms while some remain (see fd-info.ts for how files are
// learned).

/** First and longest wait between reaps. */
const FIRST_MS = 1;
const MAX_MS = 64;

export class StragglerTimer {
  readonly #reap: () => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #delay = FIRST_MS;

  /** `reap` runs when the timer fires. */
  constructor(reap: () => void) {
    this.#reap = reap;
  }

  /** Some are in flight: make sure a reap is coming. */
  arm(): void {
    this.#timer ??= setTimeout(this.#fire, this.#delay);
  }

  /** None left: stop, and start over at the first delay next time. */
  reset(): void {
    if (this.#timer === null && this.#delay === FIRST_MS) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#delay = FIRST_MS;
  }

  readonly #fire = (): void => {
    this.#timer = null;
    this.#delay = Math.min(this.#delay * 2, MAX_MS);
    this.#reap();
  };
}
