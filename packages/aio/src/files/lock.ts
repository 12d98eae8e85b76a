// A shared/exclusive lock for the writes of one O_DIRECT file: an unaligned write has to
// read, modify and rewrite whole blocks, which must not interleave with other writes to the
// file (it would write back stale bytes of theirs). Aligned writes share the lock. The lock
// belongs to the file (device and inode), not to one AioFile: two AioFiles on the same file
// would otherwise each read-modify-write a shared block and lose each other's bytes. Module
// state is per thread, so a worker_thread has its own table (see the README).
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

interface Entry {
  readonly lock: WriteLock;
  refs: number;
}

const table = new Map<string, Entry>();

/** The write lock of the file `key` (device:inode), shared by every holder; one more reference. */
export function acquireFileLock(key: string): WriteLock {
  let entry = table.get(key);
  if (entry === undefined) {
    entry = { lock: new WriteLock(), refs: 0 };
    table.set(key, entry);
  }
  entry.refs++;
  return entry.lock;
}

/** Drops one reference to the lock of `key`; the last one removes it from the table. */
export function releaseFileLock(key: string): void {
  const entry = table.get(key);
  if (entry !== undefined && --entry.refs === 0) table.delete(key);
}

/** How many files have a lock in the table (for tests). */
export function fileLockCount(): number {
  return table.size;
}
