// A completion of a run() or submit() request: linux_aio's AIOEvent, with the bytes actually
// transferred instead of its NUL-stripping stripped_buffer.
import type { AioError } from '@aio/bind';
import { completionError } from '../engine/failures.js';
import type { Op } from '../engine/op.js';
import { isRead } from '../opcodes.js';
import type { AioRequest } from './request.js';

/** The completion of a request. */
export class AioEvent {
  /** The request that completed. */
  readonly request: AioRequest;
  /** Bytes transferred, the revents mask of a poll, 0 for a sync; or a negative errno. */
  readonly res: number;
  /** The kernel's secondary result (0 on current kernels). */
  readonly res2: number;
  /** The failure as an AioError (with fd, command, position, length) when `res < 0`, else null. */
  readonly error: AioError | null;
  readonly #op: Op;
  readonly #read: boolean;

  /** @internal The event of a reaped op (the engine's event factory; not for users). */
  static of(this: void, op: Op, res: number, res2: number): AioEvent {
    return new AioEvent(op, res, res2);
  }

  private constructor(op: Op, res: number, res2: number) {
    this.request = op.request as AioRequest;
    this.res = res;
    this.res2 = res2;
    this.error = res < 0 ? completionError(res, op) : null;
    this.#op = op; // its memory snapshot: the caller's views are never read again
    this.#read = isRead(op.cmd);
  }

  /** True when `res >= 0`. */
  get ok(): boolean {
    return this.res >= 0;
  }

  /**
   * For a successful read: the bytes actually read. A read's is a view of its buffer (no
   * copy); a readv's is a new Buffer joining the filled parts of its buffers. Null otherwise.
   */
  get data(): Uint8Array | null {
    if (!this.#read || this.res < 0) return null;
    const op = this.#op;
    if (op.ab !== null) return new Uint8Array(op.ab, op.byteOffset, Math.min(this.res, op.length));
    const parts: Uint8Array[] = [];
    let left = this.res;
    const lengths = op.lengths ?? [];
    for (let i = 0; i < lengths.length && left > 0; i++) {
      const n = Math.min(left, lengths[i]!);
      parts.push(new Uint8Array(op.abs![i]!, op.offsets![i]!, n));
      left -= n;
    }
    return Buffer.concat(parts);
  }
}
