// The process-wide table of completion rings. Module state is per thread (every worker loads
// its own copy of @aio/bind), but a context is process-wide: any thread can io_destroy it,
// and the kernel then unmaps its ring under every thread that reads it. Each ring therefore
// has one entry here, visible to every thread, whose state word says whether it may be read:
//
//   state word = generation << 3 | state     (generation >= 1, so a live word is >= 8)
//   FREE (0 or 1: what a fresh page or the teardown hook leaves), CLAIMING, LIVE,
//   READING (the owner thread is reading the ring right now), DYING, DESTROYED
//
// The owner thread reads only between CAS(LIVE -> READING) and a store back to LIVE; a
// destroyer first wins CAS(LIVE -> DYING), which cannot happen mid-read, so no ring is read
// once its io_destroy can start (ring-lifetime.ts). The 64-bit cell after the state word holds
// the context id for the thread-teardown hook (teardown.ts), which destroys the cell's context.
//
// Where the table lives: an anonymous shared mapping at one fixed address, created with
// MAP_FIXED_NOREPLACE by whichever thread comes first, so that every thread of the process
// finds the same table whatever the order in which threads loaded the package. Where that
// address is taken or the kernel is older than 4.17, a SharedArrayBuffer handed to worker
// threads through worker_threads environment data (shared with this thread's descendants).
import { readFileSync } from 'node:fs';
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';
import { koffiAddress, koffiView, lastErrno, processFfi } from './ffi.js';
import {
  atomicsAdd,
  atomicsCompareExchange,
  atomicsLoad,
  atomicsStore,
  BigUint64ArrayCtor,
  bufferByteLength,
  Int32ArrayCtor,
  isSharedArrayBuffer,
  Uint8ArrayCtor,
} from './intrinsics.js';

/** The table's size: 128 KiB, two 64 KiB pages (the largest page size of the supported CPUs). */
const BYTES = 131072;
const HEADER_WORDS = 16;
/** Words per entry: state, spare, then the u64 context cell (8-byte aligned). */
export const ENTRY_WORDS = 4;
const ENTRIES = (BYTES / 4 - HEADER_WORDS) / ENTRY_WORDS;
const H_GENERATION = 2;
const H_HINT = 3;
/** Index (in 64-bit words) of the process-wide teardown stub's address. */
export const H_STUB = 2;

export const ST_MASK = 7;
export const CLAIMING = 2;
export const LIVE = 3;
export const READING = 4;
export const DYING = 5;
export const DESTROYED = 6;

// A user-space address that is page-aligned for 64 KiB pages and below 2^39 (arm64 kernels
// with 39-bit address spaces), far from where heaps and mmap areas grow.
const ANCHOR = 0x5a10a10000n;
const PROT_READ_WRITE = 0x3;
const MAP_SHARED_ANONYMOUS_FIXED_NOREPLACE = 0x01 | 0x20 | 0x100000;
const EEXIST = 17;
const KEY = '@aio/bind ring registry v1';

/** One process's (or, in the fallback, one thread tree's) ring table. */
export interface Registry {
  readonly words: Int32Array;
  readonly wide: BigUint64Array;
  /** The address of byte 0: hooks are handed addresses inside the table. */
  readonly base: bigint;
  /** True for the fixed mapping every thread of the process shares. */
  readonly processWide: boolean;
}

function over(memory: ArrayBufferLike, base: bigint, processWide: boolean): Registry {
  return Object.freeze({
    words: new Int32ArrayCtor(memory),
    wide: new BigUint64ArrayCtor(memory),
    base,
    processWide,
  });
}

/** Whether the mapping at ANCHOR is exactly the one this module creates there. */
function isOurMapping(): boolean {
  const start = ANCHOR.toString(16);
  const end = (ANCHOR + BigInt(BYTES)).toString(16);
  const line = readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${start}-`));
  return line?.startsWith(`${start}-${end} rw-s `) === true && line.endsWith('/dev/zero (deleted)');
}

function mapAnchor(): Registry | null {
  try {
    const { mmap, munmap } = processFfi();
    const got: bigint = mmap(
      ANCHOR,
      BYTES,
      PROT_READ_WRITE,
      MAP_SHARED_ANONYMOUS_FIXED_NOREPLACE,
      -1,
      0,
    );
    const errno = lastErrno();
    if (got !== ANCHOR) {
      // Before Linux 4.17 the flag is ignored and the kernel picks another address.
      if (got !== 0xffff_ffff_ffff_ffffn) munmap(got, BYTES);
      else if (errno !== EEXIST || !isOurMapping()) return null;
    }
    // A fresh anonymous mapping reads as zeros: an empty table, valid from the first instant.
    return over(koffiView(ANCHOR, BYTES), ANCHOR, true);
  } catch {
    return null;
  }
}

function environmentTable(): Registry {
  let memory = getEnvironmentData(KEY) as unknown;
  if (!isSharedArrayBuffer(memory) || bufferByteLength(memory) !== BYTES) {
    memory = new SharedArrayBuffer(BYTES);
    setEnvironmentData(KEY, memory as SharedArrayBuffer);
  }
  const sab = memory as SharedArrayBuffer;
  return over(sab, koffiAddress(new Uint8ArrayCtor(sab)), false);
}

const THREAD = Symbol.for('@aio/bind.registry.v1');

/**
 * This thread's view of the table, opened on first use and shared by every copy of the
 * package in the thread (the ESM and CJS builds).
 */
export function registry(): Registry {
  const holder = globalThis as { [THREAD]?: Registry };
  let table = holder[THREAD];
  if (table === undefined) {
    table = mapAnchor() ?? environmentTable();
    Object.defineProperty(holder, THREAD, { value: table });
  }
  return table;
}

// Opened when the package loads, not at the first io_setup: environment data reaches only
// the workers started after it was set, and a worker started before would otherwise make a
// table of its own in the fallback case. (registry() opens it lazily where a bundler dropped
// this statement: the package declares no side effects.)
if (process.platform === 'linux') {
  try {
    registry();
  } catch {
    // koffi cannot load here: the first syscall reports why.
  }
}

/** Word index of entry `i`'s state word. */
function entryAt(i: number): number {
  return HEADER_WORDS + i * ENTRY_WORDS;
}

/** The 64-bit index of the context cell of the entry whose state word is `at`. */
export function cellIndex(at: number): number {
  return (at + 2) >>> 1;
}

// An owner's io_destroy leaves 0; the teardown hook leaves what pthread_spin_unlock stores
// (0 or 1, teardown.ts). Every other word belongs to someone.
function isFree(word: number): boolean {
  return word === 0 || word === 1;
}

/**
 * Claims a free entry for `ctx` and makes it LIVE with a fresh generation. Returns its state
 * word index and live word, or null when all entries are taken (the caller then keeps the
 * ring in a private entry: safe in this thread, unknown to the others).
 */
export function claimEntry(table: Registry, ctx: bigint): { at: number; live: number } | null {
  const { words, wide } = table;
  const hint = atomicsLoad(words, H_HINT);
  for (let n = 0; n < ENTRIES; n++) {
    const i = (hint + n) % ENTRIES;
    const at = entryAt(i);
    const word = atomicsLoad(words, at);
    if (!isFree(word) || atomicsCompareExchange(words, at, word, CLAIMING) !== word) continue;
    // Any generation other than the entry's previous one would do: a later reader or
    // destroyer holding an old live word then fails its CAS instead of touching this ring.
    const generation = (atomicsAdd(words, H_GENERATION, 1) + 1) & 0x0fff_ffff || 1;
    const live = (generation << 3) | LIVE;
    atomicsStore(wide, cellIndex(at), ctx);
    atomicsStore(words, at, live);
    atomicsStore(words, H_HINT, (i + 1) % ENTRIES);
    return { at, live };
  }
  return null;
}

/** State word indexes of the entries whose cell holds `ctx` and that are LIVE or READING. */
export function entriesOf(table: Registry, ctx: bigint): number[] {
  const { words, wide } = table;
  const found: number[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const at = entryAt(i);
    const state = atomicsLoad(words, at) & ST_MASK;
    if ((state === LIVE || state === READING) && atomicsLoad(wide, cellIndex(at)) === ctx) {
      found.push(at);
    }
  }
  return found;
}
