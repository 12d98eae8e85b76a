// Who may read a completion ring, and when it may be unmapped. A ring is read only by the
// thread whose io_setup created it (its owner), only between beginRead() and endRead(), and
// only while its registry entry (registry.ts) is LIVE. io_destroy from the owner is
// sequential with its reads; io_destroy from any other thread first wins CAS(LIVE -> DYING),
// which waits out a read in progress, so the kernel never unmaps a ring under a reader.
import { AIO_RING_MAGIC } from './constants.js';
import { ffi, koffiAddress, koffiView, lastErrno } from './ffi.js';
import {
  atomicsCompareExchange,
  atomicsLoad,
  atomicsStore,
  atomicsWait,
  BigUint64ArrayCtor,
  Int32ArrayCtor,
  SafeMap,
  Uint8ArrayCtor,
  Uint32ArrayCtor,
} from './intrinsics.js';
import {
  cellIndex,
  claimEntry,
  DESTROYED,
  DYING,
  entriesOf,
  LIVE,
  READING,
  registry,
  ST_MASK,
} from './registry.js';
import { armTeardown, disarmTeardown, type TeardownHooks } from './teardown.js';

/** A ring mapped at its context address, as typed arrays over the kernel's memory. */
export interface RingView {
  readonly header: Uint32Array;
  /** The whole mapping (header and events), for views built per copy. */
  readonly memory: ArrayBuffer;
  readonly nr: number;
}

/** One ring owned by this thread. */
export interface RingRecord {
  readonly ctx: bigint;
  /** The registry's words (or a private entry's when the table was full). */
  readonly words: Int32Array;
  readonly wide: BigUint64Array;
  /** Index of the entry's state word in `words`. */
  readonly at: number;
  /** The state word while live and not being read; `live + 1` while being read. */
  readonly live: number;
  view: RingView | null;
  hooks: TeardownHooks | null;
}

const EINVAL = 22;
const LOCAL = Symbol.for('@aio/bind.thread-rings.v2');
const sleeper = new Int32ArrayCtor(new SharedArrayBuffer(4));

/** This thread's rings by context id, shared by the copies of the package in the thread. */
function rings(): SafeMap<bigint, RingRecord> {
  const holder = globalThis as { [LOCAL]?: SafeMap<bigint, RingRecord> };
  let map = holder[LOCAL];
  if (map === undefined) {
    map = new SafeMap();
    Object.defineProperty(holder, LOCAL, { value: map });
  }
  return map;
}

type Entry = Omit<RingRecord, 'view' | 'hooks'>;

/** An entry of this thread's own, for when the shared table is full; and its address. */
function privateEntry(ctx: bigint): { entry: Entry; base: bigint } {
  const memory = new SharedArrayBuffer(16);
  const words = new Int32ArrayCtor(memory);
  const wide = new BigUint64ArrayCtor(memory);
  const live = (1 << 3) | LIVE;
  words[0] = live;
  wide[1] = ctx;
  return {
    entry: { ctx, words, wide, at: 0, live },
    base: koffiAddress(new Uint8ArrayCtor(memory)),
  };
}

/** Records a context io_setup just returned: this thread owns its ring from now on. */
export function registerRing(ctx: bigint): void {
  const map = rings();
  // The kernel reuses addresses: an old record for this id is of a context already gone.
  const stale = map.get(ctx);
  if (stale !== undefined) release(stale);
  const table = registry();
  const claimed = claimEntry(table, ctx);
  // The hooks are handed raw addresses into the entry: they come from the memory itself.
  const { entry, base } = claimed
    ? { entry: { ctx, words: table.words, wide: table.wide, ...claimed }, base: table.base }
    : privateEntry(ctx);
  const hooks = armTeardown(
    table,
    base + BigInt(entry.at * 4),
    base + BigInt(cellIndex(entry.at) * 8),
  );
  map.set(ctx, { ...entry, view: null, hooks });
}

/** The record of a ring this thread owns and has not destroyed, or undefined. */
export function ownRing(ctx: bigint): RingRecord | undefined {
  return rings().get(ctx);
}

/** Enters a read of `ring`; false when its context was destroyed (or is being destroyed). */
export function beginRead(ring: RingRecord): boolean {
  if (atomicsCompareExchange(ring.words, ring.at, ring.live, ring.live + 1) === ring.live)
    return true;
  settle(ring);
  return false;
}

/** Leaves the read: from here on the context may be destroyed by another thread. */
export function endRead(ring: RingRecord): void {
  atomicsStore(ring.words, ring.at, ring.live);
}

/** After another thread destroyed the context: drop the hooks and free the entry. */
function settle(ring: RingRecord): void {
  const generation = ring.live & ~ST_MASK;
  if (atomicsLoad(ring.words, ring.at) === (generation | DESTROYED)) release(ring);
}

/**
 * Forgets a ring whose context is gone: destroyed by another thread (DESTROYED), or, when
 * io_setup hands out its address again, behind the package's back (still LIVE).
 */
function release(ring: RingRecord): void {
  const generation = ring.live & ~ST_MASK;
  while (atomicsLoad(ring.words, ring.at) === (generation | DYING)) pause();
  if (ring.hooks !== null) disarmTeardown(ring.hooks);
  ring.hooks = null;
  const word = atomicsLoad(ring.words, ring.at);
  if (word === (generation | DESTROYED) || word === ring.live) {
    atomicsCompareExchange(ring.words, ring.at, word, 0);
  }
  const map = rings();
  if (map.get(ring.ctx) === ring) map.delete(ring.ctx);
}

function pause(): void {
  atomicsWait(sleeper, 0, 0, 1);
}

/** Whether `ctx` is a live context of this process: io_getevents(ctx, 0, 0) succeeds. */
export function contextIsLive(ctx: bigint): boolean {
  const f = ffi();
  return f.getevents(f.nr.io_getevents, ctx, 0, 0, null, null) >= 0;
}

/**
 * io_destroy(ctx) under the protocol above. Returns 0 or the errno of the failure.
 * The owner removes its teardown hooks before the syscall, so that an address a later
 * io_setup reuses can never be destroyed twice.
 */
export function destroyRing(ctx: bigint): number {
  const ring = rings().get(ctx);
  return ring === undefined ? destroyForeign(ctx) : destroyOwn(ring);
}

function syscallDestroy(ctx: bigint): number {
  const f = ffi();
  return f.destroy(f.nr.io_destroy, ctx) < 0 ? lastErrno() : 0;
}

function destroyOwn(ring: RingRecord): number {
  const generation = ring.live & ~ST_MASK;
  if (atomicsCompareExchange(ring.words, ring.at, ring.live, generation | DYING) !== ring.live) {
    release(ring); // another thread destroyed it first
    return EINVAL;
  }
  rings().delete(ring.ctx);
  atomicsStore(ring.wide, cellIndex(ring.at), 0n);
  if (ring.hooks !== null) disarmTeardown(ring.hooks);
  ring.hooks = null;
  const errno = syscallDestroy(ring.ctx);
  atomicsStore(ring.words, ring.at, 0);
  return errno;
}

/**
 * Claims the entry at `at` for destroying `ctx`, once no read is in progress: returns its
 * DYING word, or 0 when the entry is no longer `ctx`'s or someone else claimed it.
 */
function claimForDestroy(words: Int32Array, wide: BigUint64Array, at: number, ctx: bigint): number {
  let spins = 0;
  for (;;) {
    const word = atomicsLoad(words, at);
    const state = word & ST_MASK;
    if ((state !== LIVE && state !== READING) || atomicsLoad(wide, cellIndex(at)) !== ctx) {
      return 0;
    }
    if (state === READING) {
      // The owner is reading: its read takes well under a microsecond. Spin a little, then
      // sleep, so that an owner descheduled mid-read is not spun against.
      if (++spins > 1000) pause();
      continue;
    }
    // A new generation would make this fail: the cell read above was this registration's.
    const dying = (word & ~ST_MASK) | DYING;
    if (atomicsCompareExchange(words, at, word, dying) !== word) continue;
    atomicsStore(wide, cellIndex(at), 0n); // the owner's teardown hook must not destroy it again
    return dying;
  }
}

function destroyForeign(ctx: bigint): number {
  const table = registry();
  const { words, wide } = table;
  const claimed: Array<[at: number, dying: number]> = [];
  for (const at of entriesOf(table, ctx)) {
    const dying = claimForDestroy(words, wide, at, ctx);
    if (dying !== 0) claimed.push([at, dying]);
  }
  if (claimed.length === 0 && contextIsLive(ctx)) {
    // Not in this table (created by code that does not share it): a reader that checks the
    // magic before its next read then stops, though one already past that check cannot be
    // waited for. Documented as not guaranteed.
    new Uint32ArrayCtor(koffiView(ctx, 32))[4] = 0;
  }
  const errno = syscallDestroy(ctx);
  // The owner frees the entry when it next looks (or its teardown hook does).
  for (const [at, dying] of claimed) {
    atomicsCompareExchange(words, at, dying, (dying & ~ST_MASK) | DESTROYED);
  }
  return errno;
}

/** Whether the header of a mapped ring still carries the kernel's magic. */
export function hasMagic(header: Uint32Array): boolean {
  return header[4] === AIO_RING_MAGIC;
}
