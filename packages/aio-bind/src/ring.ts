// The completion ring the kernel maps at the context address (fs/aio.c, struct aio_ring):
// reading events from it and advancing `head` costs no syscall (libaio's and fio's fast path).
//
// Only rings of live contexts created by this package's io_setup are read: the registry below
// is process-global (shared by the ESM and CJS builds), and io_destroy removes a context before
// the kernel unmaps its ring, so no view outlives its mapping.
import { AIO_RING_HEADER, SIZEOF_IO_EVENT } from './abi.js';
import { AIO_RING_INCOMPAT_FEATURES, AIO_RING_MAGIC } from './constants.js';
import { koffi } from './ffi.js';
import {
  InvalidArgValueError,
  OutOfRangeError,
  validateContext,
  validateInteger,
  validateView,
} from './validate.js';

interface RingView {
  readonly header: Uint32Array;
  readonly events: Uint8Array;
  readonly nr: number;
  /** Cleared by io_destroy before the kernel unmaps the ring. */
  live: boolean;
}

/** A ring whose format this package does not know, or whose header is inconsistent. */
export class RingFormatError extends Error {
  readonly code = 'ERR_AIO_RING_UNSUPPORTED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'RingFormatError';
  }
}

/** The header fields of a context's completion ring. */
export interface RingHeader {
  id: number;
  nr: number;
  head: number;
  tail: number;
  magic: number;
  compatFeatures: number;
  incompatFeatures: number;
  headerLength: number;
}

const REGISTRY = Symbol.for('@aio/bind.rings');
type Registry = Map<bigint, RingView | null>;

function registry(): Registry {
  const g = globalThis as { [REGISTRY]?: Registry };
  g[REGISTRY] ??= new Map();
  return g[REGISTRY];
}

/** Records a context returned by io_setup (its ring is mapped from now on). */
export function registerRing(ctx: bigint): void {
  registry().set(ctx, null);
}

/** Forgets a context before io_destroy unmaps its ring (and disarms its CompletionRings). */
export function unregisterRing(ctx: bigint): void {
  const rings = registry();
  const view = rings.get(ctx);
  if (view) view.live = false;
  rings.delete(ctx);
}

function checkHeader(h: Uint32Array): void {
  if (h[AIO_RING_HEADER.magic] !== AIO_RING_MAGIC) {
    throw new RingFormatError(
      `aio_ring magic is 0x${h[AIO_RING_HEADER.magic]!.toString(16)}, expected 0x${AIO_RING_MAGIC.toString(16)}: use io_getevents`,
    );
  }
  if (h[AIO_RING_HEADER.incompat_features] !== AIO_RING_INCOMPAT_FEATURES) {
    throw new RingFormatError(
      `aio_ring has incompatible features 0x${h[AIO_RING_HEADER.incompat_features]!.toString(16)}: use io_getevents`,
    );
  }
}

function ringOf(ctx: bigint): RingView {
  const rings = registry();
  const ring = rings.get(ctx);
  if (ring) return ring;
  if (ring === undefined) {
    throw new InvalidArgValueError('ctx', ctx, 'is not a live context created by io_setup');
  }
  const head = new Uint32Array(koffi.view(ctx, AIO_RING_HEADER.size));
  checkHeader(head);
  if (head[AIO_RING_HEADER.header_length] !== AIO_RING_HEADER.size) {
    throw new RingFormatError(`aio_ring header_length is ${head[AIO_RING_HEADER.header_length]}`);
  }
  const nr = head[AIO_RING_HEADER.nr]!;
  const all = koffi.view(ctx, AIO_RING_HEADER.size + nr * SIZEOF_IO_EVENT);
  const view: RingView = {
    header: new Uint32Array(all, 0, 8),
    events: new Uint8Array(all, AIO_RING_HEADER.size),
    nr,
    live: true,
  };
  rings.set(ctx, view);
  return view;
}

/**
 * Copies up to `max` completed events off the context's ring into `events` (32 bytes each)
 * and advances the ring's head, without a syscall. Returns how many were copied (0 when the
 * ring is empty). Safe to mix with io_getevents from the same thread; do not run it while
 * another thread waits in io_getevents on the same context.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_VALUE` when `ctx` is not a live context created by
 * io_setup; {@link RangeError} `ERR_OUT_OF_RANGE` when `events` is shorter than `max * 32`;
 * {@link RingFormatError} `ERR_AIO_RING_UNSUPPORTED` for a ring with unknown magic or
 * incompatible features.
 */
export function reapRing(ctx: bigint, events: Uint8Array, max: number): number {
  validateContext(ctx);
  validateView(events, 'events');
  validateInteger(max, 'max', 0, 1 << 24);
  if (max * SIZEOF_IO_EVENT > events.byteLength) {
    throw new OutOfRangeError('max', `<= events.byteLength / 32 (${events.byteLength >>> 5})`, max);
  }
  const view: ArrayBufferView = events;
  const out =
    view instanceof Uint8Array
      ? view
      : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  return copyEvents(ringOf(ctx), out, max);
}

/** Copies up to `max` events from head to tail into `out` and publishes the new head. */
function copyEvents(ring: RingView, out: Uint8Array, max: number): number {
  const h = ring.header;
  checkHeader(h);
  const nr = ring.nr;
  const head = h[AIO_RING_HEADER.head]!;
  // The kernel stores the events before it publishes the tail: read the tail first.
  const tail = Atomics.load(h, AIO_RING_HEADER.tail);
  if (head === tail || max === 0) return 0;
  if (head >= nr || tail >= nr) {
    throw new RingFormatError(`aio_ring head ${head} / tail ${tail} out of range for ${nr} slots`);
  }
  const available = tail > head ? tail - head : nr - head + tail;
  const n = Math.min(available, max);
  const first = Math.min(n, nr - head);
  out.set(ring.events.subarray(head * SIZEOF_IO_EVENT, (head + first) * SIZEOF_IO_EVENT), 0);
  if (n > first) {
    out.set(ring.events.subarray(0, (n - first) * SIZEOF_IO_EVENT), first * SIZEOF_IO_EVENT);
  }
  Atomics.store(h, AIO_RING_HEADER.head, (head + n) % nr);
  return n;
}

/**
 * The completion ring of one context, checked once: reap() then costs no argument checks and
 * no lookup, for hot loops. io_destroy disarms it (reap() then throws ERR_AIO_RING_UNSUPPORTED
 * instead of reading unmapped memory).
 */
export class CompletionRing {
  readonly ctx: bigint;
  readonly #ring: RingView;

  /** @throws as {@link reapRing} for an unknown or destroyed context, or an unknown format. */
  constructor(ctx: bigint) {
    validateContext(ctx);
    this.ctx = ctx;
    this.#ring = ringOf(ctx);
    checkHeader(this.#ring.header);
  }

  /** Number of event slots in the ring. */
  get size(): number {
    return this.#ring.nr;
  }

  /** True when no completion waits on the ring (one shared-memory read, no syscall). */
  get empty(): boolean {
    const h = this.#ring.header;
    return !this.#ring.live || h[AIO_RING_HEADER.head] === Atomics.load(h, AIO_RING_HEADER.tail);
  }

  /**
   * As reapRing(ctx, events, max) for this context: copies up to `max` events into `events`
   * (at least `max * 32` bytes; not checked here: use an IoEventArray's bytes and length).
   */
  reap(events: Uint8Array, max: number): number {
    if (!this.#ring.live)
      throw new RingFormatError('The context was destroyed: its ring is unmapped');
    return copyEvents(this.#ring, events, Math.min(max, events.byteLength >>> 5));
  }
}

/**
 * The header of the context's completion ring (for inspection and tests).
 * @throws as {@link reapRing} for an unknown context or ring format.
 */
export function readRingHeader(ctx: bigint): RingHeader {
  validateContext(ctx);
  const h = ringOf(ctx).header;
  return {
    id: h[AIO_RING_HEADER.id]!,
    nr: h[AIO_RING_HEADER.nr]!,
    head: h[AIO_RING_HEADER.head]!,
    tail: Atomics.load(h, AIO_RING_HEADER.tail),
    magic: h[AIO_RING_HEADER.magic]!,
    compatFeatures: h[AIO_RING_HEADER.compat_features]!,
    incompatFeatures: h[AIO_RING_HEADER.incompat_features]!,
    headerLength: h[AIO_RING_HEADER.header_length]!,
  };
}
