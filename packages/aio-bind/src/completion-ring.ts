// The hot-loop reader of one context's completion ring: checked once at construction, then
// reap() and `empty` cost no argument checks and no lookup. Unchecked in one respect: they do
// not ask the kernel whether the context still exists. A context destroyed through
// io_destroy (in any thread of the process) is detected; one destroyed or moved (mremap)
// behind the package's back is not: use reapRing, which asks, for that.
import { AIO_RING_HEADER } from './abi.js';
import { InvalidArgTypeError } from './arg-errors.js';
import {
  atomicsCompareExchange,
  atomicsStore,
  typedArrayByteLength,
  typedArrayName,
} from './intrinsics.js';
import { assertLive, copyEvents, destroyedRing, recordOf, viewOf } from './ring.js';
import { beginRead, hasMagic, type RingRecord, type RingView } from './ring-lifetime.js';
import { validateContext } from './validate.js';

const HEAD = AIO_RING_HEADER.head;
const TAIL = AIO_RING_HEADER.tail;

/**
 * The completion ring of one context, checked once: reap() then costs no argument checks and
 * no lookup, for hot loops. io_destroy of the context, from this thread or any other, disarms
 * it: `empty` is then true and reap() throws ERR_AIO_RING_UNSUPPORTED instead of reading
 * unmapped memory. Only the thread that created the context can make one.
 */
export class CompletionRing {
  readonly ctx: bigint;
  readonly #record: RingRecord;
  readonly #ring: RingView;
  readonly #words: Int32Array;
  readonly #at: number;
  readonly #live: number;

  /**
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `ctx` is not a bigint;
   * `ERR_INVALID_ARG_VALUE` when it is not a live context created by io_setup in this
   * thread; {@link AioError} EINVAL (io_getevents) when the kernel no longer knows it at
   * that address; {@link RingFormatError} `ERR_AIO_RING_UNSUPPORTED` for an unknown ring
   * format.
   */
  constructor(ctx: bigint) {
    validateContext(ctx);
    this.ctx = ctx;
    const record = recordOf(ctx);
    assertLive(ctx);
    this.#record = record;
    this.#ring = viewOf(record);
    this.#words = record.words;
    this.#at = record.at;
    this.#live = record.live;
  }

  /** Number of event slots in the ring. */
  get size(): number {
    return this.#ring.nr;
  }

  /**
   * True when no completion waits on the ring, or when the context was destroyed; false
   * when the ring header is no longer one this package knows (reap() then says why). One
   * compare-and-swap, two shared-memory reads and one store: no syscall.
   */
  get empty(): boolean {
    const words = this.#words;
    const at = this.#at;
    const live = this.#live;
    if (atomicsCompareExchange(words, at, live, live + 1) !== live) {
      beginRead(this.#record); // settles a destruction by another thread (and fails again)
      return true;
    }
    const h = this.#ring.header;
    // Plain loads are enough after the CAS (a full barrier): a stale tail only delays a reap.
    const empty = hasMagic(h) && h[HEAD] === h[TAIL];
    atomicsStore(words, at, live);
    return empty;
  }

  /**
   * As reapRing(ctx, events, max) for this context without its checks: copies up to `max`
   * events into `events`, a Uint8Array (`max` is capped by its true length: give an
   * IoEventArray's bytes and length).
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `events` is not a Uint8Array;
   * {@link RingFormatError} `ERR_AIO_RING_UNSUPPORTED` once the context was destroyed or when
   * the ring header is not one this package knows.
   */
  reap(events: Uint8Array, max: number): number {
    if (typedArrayName(events) !== 'Uint8Array') {
      throw new InvalidArgTypeError('events', 'an instance of Uint8Array', events);
    }
    // NaN, negative and fractional counts become 0 or a whole number.
    const n = Math.min(max, typedArrayByteLength(events) >>> 5) | 0;
    const record = this.#record;
    if (!beginRead(record)) throw destroyedRing();
    try {
      return n > 0 ? copyEvents(this.#ring, events, n) : 0;
    } finally {
      atomicsStore(this.#words, this.#at, this.#live);
    }
  }
}
