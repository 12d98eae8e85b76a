// The completion ring the kernel maps at the context address (fs/aio.c, struct aio_ring):
// reading events from it and advancing `head` costs no syscall (libaio's and fio's fast path).
//
// A ring is read only by the thread that created its context, only while the context is
// live, and never while any thread's io_destroy can unmap it (ring-lifetime.ts). Ring memory
// is only ever touched here, through typed arrays this module made: it is copied out with
// the captured TypedArray#set and never handed to caller code.
import { AIO_RING_HEADER, SIZEOF_IO_EVENT } from './abi.js';
import { InvalidArgValueError, OutOfRangeError } from './arg-errors.js';
import { AIO_RING_INCOMPAT_FEATURES, AIO_RING_MAGIC } from './constants.js';
import { errnoException } from './errors.js';
import { koffiView, lastErrno } from './ffi.js';
import {
  atomicsLoad,
  atomicsStore,
  typedArrayName,
  typedArraySet,
  Uint8ArrayCtor,
  Uint32ArrayCtor,
  viewBuffer,
  viewByteLength,
  viewByteOffset,
} from './intrinsics.js';
import {
  beginRead,
  contextIsLive,
  endRead,
  ownRing,
  type RingRecord,
  type RingView,
} from './ring-lifetime.js';
import { validateContext, validateInteger, validateView } from './validate.js';

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

/** The error for a read of a ring whose context was destroyed. */
export function destroyedRing(): RingFormatError {
  return new RingFormatError('The context was destroyed: its ring is unmapped');
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

/** Maps the ring of `ring` into typed arrays; must run inside a read. */
function mapRing(ring: RingRecord): RingView {
  const head = new Uint32ArrayCtor(koffiView(ring.ctx, AIO_RING_HEADER.size));
  checkHeader(head);
  if (head[AIO_RING_HEADER.header_length] !== AIO_RING_HEADER.size) {
    throw new RingFormatError(`aio_ring header_length is ${head[AIO_RING_HEADER.header_length]}`);
  }
  const nr = head[AIO_RING_HEADER.nr]!;
  const memory = koffiView(ring.ctx, AIO_RING_HEADER.size + nr * SIZEOF_IO_EVENT);
  return Object.freeze({ header: new Uint32ArrayCtor(memory, 0, 8), memory, nr });
}

/**
 * The record of a context this thread created and has not destroyed.
 * @throws {TypeError} `ERR_INVALID_ARG_VALUE` for any other context.
 */
export function recordOf(ctx: bigint): RingRecord {
  const record = ownRing(ctx);
  if (record === undefined) {
    throw new InvalidArgValueError(
      'ctx',
      ctx,
      'is not a live context created by io_setup in this thread',
    );
  }
  return record;
}

/**
 * The ring of `record`, mapped and checked on first use.
 * @throws {RingFormatError} for a destroyed context or an unknown ring format.
 */
export function viewOf(record: RingRecord): RingView {
  if (record.view !== null) return record.view;
  if (!beginRead(record)) throw destroyedRing();
  try {
    record.view = mapRing(record);
  } finally {
    endRead(record);
  }
  return record.view;
}

/**
 * Asks the kernel whether `ctx` is still a live context at that address, before the mapping
 * is touched: a context destroyed behind the package's back (a raw syscall) or whose ring
 * was moved by mremap (the kernel then answers for the new address only) is not.
 * @throws {AioError} EINVAL (syscall io_getevents).
 */
export function assertLive(ctx: bigint): void {
  if (!contextIsLive(ctx)) throw errnoException(lastErrno(), 'io_getevents');
}

/**
 * Copies up to `max` events from head to tail into `out` and publishes the new head. Must run
 * inside a read of the ring; `max` must be a non-negative integer and `out` a genuine
 * Uint8Array of at least `max * 32` bytes.
 */
export function copyEvents(ring: RingView, out: Uint8Array, max: number): number {
  const h = ring.header;
  checkHeader(h);
  const nr = ring.nr;
  const head = h[AIO_RING_HEADER.head]!;
  // The kernel stores the events before it publishes the tail: read the tail first.
  const tail = atomicsLoad(h, AIO_RING_HEADER.tail);
  if (head === tail || max === 0) return 0;
  if (head >= nr || tail >= nr) {
    throw new RingFormatError(`aio_ring head ${head} / tail ${tail} out of range for ${nr} slots`);
  }
  const available = tail > head ? tail - head : nr - head + tail;
  const n = Math.min(available, max);
  const first = Math.min(n, nr - head);
  const base = AIO_RING_HEADER.size;
  typedArraySet(
    out,
    new Uint8ArrayCtor(ring.memory, base + head * SIZEOF_IO_EVENT, first * SIZEOF_IO_EVENT),
    0,
  );
  if (n > first) {
    const rest = (n - first) * SIZEOF_IO_EVENT;
    typedArraySet(out, new Uint8ArrayCtor(ring.memory, base, rest), first * SIZEOF_IO_EVENT);
  }
  atomicsStore(h, AIO_RING_HEADER.head, (head + n) % nr);
  return n;
}

/**
 * Copies up to `max` completed events off the context's ring into `events` (32 bytes each)
 * and advances the ring's head, without reading the events through a syscall. Returns how
 * many were copied (0 when the ring is empty). The checked form: it first asks the kernel
 * whether the context is still live (io_getevents with nr 0, one cheap syscall), so a
 * context destroyed or moved (mremap) behind the package's back is an AioError rather than
 * a read of unmapped memory. CompletionRing is the unchecked fast path.
 *
 * Safe to mix with io_getevents from the same thread; do not run it while another thread
 * waits in io_getevents on the same context. Only the thread that created the context may
 * read its ring.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_VALUE` when `ctx` is not a live context created by
 * io_setup in this thread; {@link RangeError} `ERR_OUT_OF_RANGE` when `events` is shorter
 * than `max * 32` (its true length); {@link AioError} EINVAL (io_getevents) when the kernel
 * no longer knows the context; {@link RingFormatError} `ERR_AIO_RING_UNSUPPORTED` for a
 * ring with unknown magic or incompatible features, or a context another thread destroyed.
 */
export function reapRing(ctx: bigint, events: Uint8Array, max: number): number {
  validateContext(ctx);
  validateView(events, 'events');
  validateInteger(max, 'max', 0, 1 << 24);
  const length = viewByteLength(events);
  if (max * SIZEOF_IO_EVENT > length) {
    throw new OutOfRangeError('max', `<= events.byteLength / 32 (${length >>> 5})`, max);
  }
  const record = recordOf(ctx);
  assertLive(ctx);
  const view = viewOf(record);
  const out =
    typedArrayName(events) === 'Uint8Array'
      ? events
      : new Uint8ArrayCtor(viewBuffer(events), viewByteOffset(events), length);
  if (!beginRead(record)) throw destroyedRing();
  try {
    return copyEvents(view, out, max);
  } finally {
    endRead(record);
  }
}

/**
 * The header of the context's completion ring (for inspection and tests). Checked like
 * reapRing: the kernel is asked first whether the context is still live.
 * @throws as {@link reapRing} for an unknown or destroyed context or ring format.
 */
export function readRingHeader(ctx: bigint): RingHeader {
  validateContext(ctx);
  const record = recordOf(ctx);
  assertLive(ctx);
  const view = viewOf(record);
  if (!beginRead(record)) throw destroyedRing();
  try {
    const h = view.header;
    return {
      id: h[AIO_RING_HEADER.id]!,
      nr: h[AIO_RING_HEADER.nr]!,
      head: h[AIO_RING_HEADER.head]!,
      tail: atomicsLoad(h, AIO_RING_HEADER.tail),
      magic: h[AIO_RING_HEADER.magic]!,
      compatFeatures: h[AIO_RING_HEADER.compat_features]!,
      incompatFeatures: h[AIO_RING_HEADER.incompat_features]!,
      headerLength: h[AIO_RING_HEADER.header_length]!,
    };
  } finally {
    endRead(record);
  }
}
