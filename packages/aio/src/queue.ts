// FIFO of Ops waiting for a slot. Ops aborted while queued are marked dropped and skipped
// when they reach the front, so removal is O(1).
import type { Op } from './op.js';

export class OpQueue {
  #items: (Op | undefined)[] = [];
  #head = 0;
  /** Ops waiting, not counting dropped ones. */
  size = 0;

  push(op: Op): void {
    this.#items.push(op);
    this.size++;
  }

  /** Puts ops back at the front, in order (the kernel had no room for them). */
  unshift(ops: readonly Op[]): void {
    const rest = this.#items.slice(this.#head);
    this.#items = [...ops, ...rest];
    this.#head = 0;
    this.size += ops.length;
  }

  /** The next live op, or undefined. */
  shift(): Op | undefined {
    while (this.#head < this.#items.length) {
      const op = this.#items[this.#head];
      this.#items[this.#head++] = undefined;
      if (op !== undefined && !op.dropped) {
        this.size--;
        this.#compact();
        return op;
      }
    }
    this.#compact();
    return undefined;
  }

  /** Marks a queued op as removed. */
  drop(op: Op): void {
    op.dropped = true;
    this.size--;
  }

  /** The live ops, front to back (a snapshot: dropping while iterating is safe). */
  live(): Op[] {
    const out: Op[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const op = this.#items[i];
      if (op !== undefined && !op.dropped) out.push(op);
    }
    return out;
  }

  /** Every live op, emptying the queue. */
  drain(): Op[] {
    const out: Op[] = [];
    for (let op = this.shift(); op !== undefined; op = this.shift()) out.push(op);
    return out;
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
