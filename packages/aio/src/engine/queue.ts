// FIFO of Ops waiting for a slot (or for their next phase): a ring buffer that grows by
// doubling, so the hot path (one push and one shift per request) never resizes or copies an
// array. Ops aborted while queued are marked dropped and skipped when they reach the front,
// so removal is O(1).
import type { Op } from './op.js';

export class OpQueue {
  #items: (Op | null)[] = new Array<Op | null>(16).fill(null);
  #head = 0;
  /** Entries in the ring, dropped ones included. */
  #count = 0;
  /** Ops waiting, not counting dropped ones. */
  size = 0;

  #grow(): void {
    const old = this.#items;
    const items = new Array<Op | null>(old.length * 2).fill(null);
    for (let i = 0; i < this.#count; i++) items[i] = old[(this.#head + i) & (old.length - 1)]!;
    this.#items = items;
    this.#head = 0;
  }

  push(op: Op): void {
    if (this.#count === this.#items.length) this.#grow();
    const mask = this.#items.length - 1;
    this.#items[(this.#head + this.#count) & mask] = op;
    this.#count++;
    this.size++;
  }

  /** Puts ops back at the front, in order (the kernel had no room, or they have a next phase). */
  unshift(ops: readonly Op[]): void {
    for (let i = ops.length - 1; i >= 0; i--) {
      if (this.#count === this.#items.length) this.#grow();
      this.#head = (this.#head - 1) & (this.#items.length - 1);
      this.#items[this.#head] = ops[i]!;
      this.#count++;
      this.size++;
    }
  }

  /** The next live op, or undefined. */
  shift(): Op | undefined {
    const items = this.#items;
    const mask = items.length - 1;
    while (this.#count > 0) {
      const op = items[this.#head]!;
      items[this.#head] = null; // the queue no longer pins it
      this.#head = (this.#head + 1) & mask;
      this.#count--;
      if (!op.dropped) {
        this.size--;
        return op;
      }
    }
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
    const mask = this.#items.length - 1;
    for (let i = 0; i < this.#count; i++) {
      const op = this.#items[(this.#head + i) & mask]!;
      if (!op.dropped) out.push(op);
    }
    return out;
  }
}
