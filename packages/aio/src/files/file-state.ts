// What an AioFile keeps between calls: the file pointer node:fs keeps in the kernel for a
// FileHandle (kernel AIO has none), and its pending requests, which close() waits for. A read
// or write without a position reserves its bytes at the pointer before it starts, so
// concurrent ones land one after another, as on one kernel file description.
import { closedError } from './node-errors.js';

export class FileState {
  readonly #fd: () => number;
  readonly #size: () => Promise<number>;
  #position: number;
  /** An append without a position moved the kernel's pointer to the end of file: so do we. */
  #positionAtEnd = false;
  #pending = 0;
  readonly #idle: Array<() => void> = [];
  #closing: Promise<void> | null = null;

  /** `fd` reads the descriptor (-1 once closed); `size` fstat's the file's size. */
  constructor(position: number, fd: () => number, size: () => Promise<number>) {
    this.#position = position;
    this.#fd = fd;
    this.#size = size;
  }

  /** Throws node's EBADF (for `syscall`) once closing or closed. */
  assertOpen(syscall: string): void {
    if (this.#closing !== null || this.#fd() === -1) throw closedError(syscall);
  }

  /** Runs `work` counted as pending (close() waits for it). */
  run<T>(syscall: string, work: () => Promise<T>): Promise<T> {
    this.assertOpen(syscall);
    this.#pending++;
    let promise: Promise<T>;
    try {
      promise = work();
    } catch (error) {
      this.#end();
      return Promise.reject(error);
    }
    return promise.finally(this.#end);
  }

  readonly #end = (): void => {
    if (--this.#pending === 0) for (const wake of this.#idle.splice(0)) wake();
  };

  /** Where `length` bytes at the file pointer go: reserves them, moving the pointer past. */
  async atPointer(length: number, transfer: (at: number) => Promise<number>): Promise<number> {
    if (this.#positionAtEnd) {
      this.#positionAtEnd = false;
      this.#position = await this.#size();
    }
    const at = this.#position;
    this.#position = at + length;
    try {
      const n = await transfer(at);
      // Short (end of file): the pointer stops where the data did, unless others moved it on.
      if (n < length && this.#position === at + length) this.#position = at + n;
      return n;
    } catch (error) {
      if (this.#position === at + length) this.#position = at;
      throw error;
    }
  }

  /** A write without a position in append mode: the pointer goes to the end of file. */
  appended(): void {
    this.#positionAtEnd = true;
  }

  /** The file pointer (moved to `moveTo` when given). */
  pointer(moveTo?: number): number {
    if (moveTo !== undefined) {
      this.#position = moveTo;
      this.#positionAtEnd = false;
    }
    return this.#position;
  }

  /** close(): once, after the pending requests; `finish` closes the descriptor. */
  close(finish: () => Promise<void>): { promise: Promise<void>; first: boolean } {
    if (this.#closing !== null) return { promise: this.#closing, first: false };
    this.#closing = (async () => {
      if (this.#pending > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
      await finish();
    })();
    return { promise: this.#closing, first: true };
  }
}
