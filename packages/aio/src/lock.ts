// A shared/exclusive lock for the writes of one O_DIRECT file: an unaligned write has to
// read, modify and rewrite whole blocks, which must not interleave with other writes to the
// file (it would write back stale bytes of theirs). Aligned writes share the lock.
type Waiter = { exclusive: boolean; grant: () => void };

export class WriteLock {
  #shared = 0;
  #exclusive = false;
  readonly #waiting: Waiter[] = [];

  /** Runs `fn` with the lock shared (alongside other shared holders). */
  shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.#run(false, fn);
  }

  /** Runs `fn` alone. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#run(true, fn);
  }

  async #run<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    if (!this.#tryTake(exclusive)) {
      await new Promise<void>((grant) => this.#waiting.push({ exclusive, grant }));
    }
    try {
      return await fn();
    } finally {
      if (exclusive) this.#exclusive = false;
      else this.#shared--;
      this.#wakeNext();
    }
  }

  #tryTake(exclusive: boolean): boolean {
    // FIFO: while anyone waits, newcomers wait too (no starvation of exclusive writers).
    if (this.#waiting.length > 0 || this.#exclusive) return false;
    if (exclusive && this.#shared > 0) return false;
    if (exclusive) this.#exclusive = true;
    else this.#shared++;
    return true;
  }

  #wakeNext(): void {
    while (this.#waiting.length > 0 && !this.#exclusive) {
      const next = this.#waiting[0]!;
      if (next.exclusive && this.#shared > 0) return;
      this.#waiting.shift();
      if (next.exclusive) this.#exclusive = true;
      else this.#shared++;
      next.grant();
    }
  }
}
