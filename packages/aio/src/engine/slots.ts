// The iocb slots of a context: one IocbArray, the Op occupying each slot (which keeps its
// buffers referenced until the completion is reaped), and a stack of free slots.
import { IocbArray } from '@aio/bind';
import type { Op } from './op.js';

export class SlotTable {
  readonly iocbs: IocbArray;
  readonly #ops: (Op | null)[];
  readonly #free: Int32Array;
  #top: number;

  constructor(size: number) {
    this.iocbs = new IocbArray(size);
    this.#ops = new Array<Op | null>(size).fill(null);
    this.#free = new Int32Array(size);
    for (let i = 0; i < size; i++) this.#free[i] = size - 1 - i;
    this.#top = size;
  }

  /** Takes a free slot for `op` (the caller knows one is free). */
  alloc(op: Op): number {
    const slot = this.#free[--this.#top]!;
    this.#ops[slot] = op;
    op.slot = slot;
    return slot;
  }

  /** Frees `slot` and returns the Op that held it (null for a slot not in use). */
  release(slot: number): Op | null {
    const op = this.#ops[slot];
    if (op === undefined || op === null) return null;
    this.#ops[slot] = null;
    this.#free[this.#top++] = slot;
    op.slot = -1;
    return op;
  }

  /** The Ops in flight, for close() and cancel. */
  *occupied(): IterableIterator<Op> {
    for (const op of this.#ops) if (op !== null) yield op;
  }
}
