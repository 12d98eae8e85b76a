// Contexts created in a worker thread are destroyed when that thread ends. The kernel does
// not tie a context to a thread, only to the process, so a worker that exits (or is
// terminated) without io_destroy leaves its context (and its slots of the system-wide
// /proc/sys/fs/aio-max-nr) behind until the process ends, and requests still in flight keep
// writing into a heap that is being freed. No JavaScript runs in a terminated worker, but
// Node-API environment cleanup hooks do: they run while the worker's environment is torn
// down, before its isolate and heap are freed. A hook is a plain `void (*)(void *arg)`:
//
// - destroy hook: a few instructions of machine code in a page of our own (mapped RW,
//   written, then made READ|EXEC) doing `syscall(SYS_io_destroy, *(u64 *)arg)`. io_destroy
//   waits for the requests in flight, so the worker's buffers are safe when it returns. `arg`
//   is the context cell of the ring's registry entry: whoever destroys the context first
//   zeroes it, and io_destroy(0) is a harmless EINVAL.
// - free hook: pthread_spin_unlock(arg) on the entry's state word, which is a single store of
//   the unlocked value (0, or 1 on x86_64 glibc: probed, not assumed). Hooks run last-added
//   first, so the entry is freed after the destroy and even if the worker died mid-read.
//
// Only x86_64 and arm64 get a destroy stub; elsewhere, or where mmap/mprotect refuse an
// executable page (SELinux execmem, PaX), teardownSupported() is false and such contexts
// are left behind as before (documented in the README).
import { isMainThread } from 'node:worker_threads';
import { koffi, koffiView, processFfi } from './ffi.js';
import {
  atomicsCompareExchange,
  Int32ArrayCtor,
  typedArraySet,
  Uint8ArrayCtor,
} from './intrinsics.js';
import { H_STUB, type Registry, registry } from './registry.js';

// x86_64 (rdi = arg): mov rdi, [rdi]; mov eax, 207 (SYS_io_destroy); syscall; ret
const X64_STUB = [0x48, 0x8b, 0x3f, 0xb8, 0xcf, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3];
// arm64 (x0 = arg): ldr x0, [x0]; mov x8, #1 (SYS_io_destroy); svc #0; ret. A64 instructions
// are little-endian whatever the data byte order.
const ARM64_STUB = [0xf9400000, 0xd2800028, 0xd4000001, 0xd65f03c0].flatMap((w) => [
  w & 0xff,
  (w >>> 8) & 0xff,
  (w >>> 16) & 0xff,
  w >>> 24,
]);

/** The machine code of the destroy hook for `arch`, or undefined where there is none. */
export function destroyStub(arch: string = process.arch): readonly number[] | undefined {
  if (arch === 'x64') return X64_STUB;
  if (arch === 'arm64') return ARM64_STUB;
  return undefined;
}

const PAGE = 65536;
const PROT_READ_WRITE = 0x3;
const PROT_READ_EXEC = 0x5;
const MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
const MAP_FAILED = 0xffff_ffff_ffff_ffffn;

interface Native {
  readonly env: bigint;
  readonly stub: bigint;
  readonly spinUnlock: bigint;
}

let native: Native | null | undefined;

function makeStub(code: readonly number[]): bigint {
  const { mmap, mprotect, munmap } = processFfi();
  const page: bigint = mmap(null, PAGE, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0);
  if (page === MAP_FAILED || page === 0n) return 0n;
  // Written through the captured TypedArray#set: this page becomes executable.
  typedArraySet(new Uint8ArrayCtor(koffiView(page, code.length)), code);
  if (mprotect(page, PAGE, PROT_READ_EXEC) !== 0) {
    munmap(page, PAGE);
    return 0n;
  }
  return page;
}

/** The stub page of the process (one per registry), mapped by the first thread that needs it. */
function sharedStub(table: Registry, code: readonly number[]): bigint {
  const published = table.wide[H_STUB]!;
  if (published !== 0n) return published;
  const mine = makeStub(code);
  if (mine === 0n) return 0n;
  const winner = atomicsCompareExchange(table.wide, H_STUB, 0n, mine);
  if (winner === 0n) return mine;
  processFfi().munmap(mine, PAGE);
  return winner;
}

/** pthread_spin_unlock's address if it is one store of 0 or 1 (what registry.ts calls free). */
function spinUnlockHook(): bigint {
  const { dlsym, spinUnlock } = processFfi();
  const probe = new Int32ArrayCtor(1);
  probe[0] = 7;
  spinUnlock(probe);
  if (probe[0] !== 0 && probe[0] !== 1) return 0n;
  const address: bigint | null = dlsym(null, 'pthread_spin_unlock');
  return address ?? 0n;
}

function load(table: Registry): Native | null {
  const code = destroyStub();
  const env = (koffi.node as { env?: unknown } | undefined)?.env;
  if (code === undefined || typeof env !== 'bigint') return null;
  try {
    const spinUnlock = spinUnlockHook();
    const stub = spinUnlock === 0n ? 0n : sharedStub(table, code);
    return stub === 0n ? null : Object.freeze({ env, stub, spinUnlock });
  } catch {
    return null;
  }
}

/** The hooks registered for one ring, to be removed by io_destroy before its syscall. */
export interface TeardownHooks {
  readonly native: Native;
  readonly state: bigint;
  readonly cell: bigint;
}

/**
 * Whether contexts created in a worker thread of this process are destroyed when the worker
 * ends (x86_64 and arm64, where an executable page can be mapped and Node-API is there).
 */
export function teardownSupported(table: Registry = registry()): boolean {
  native ??= load(table);
  return native !== null;
}

/**
 * On a worker thread, registers the hooks that destroy the context whose id is in the cell
 * at `cell` and then free the state word at `state` when the thread ends. Returns null on the
 * main thread (its contexts end with the process) or where teardown is not supported.
 */
export function armTeardown(table: Registry, state: bigint, cell: bigint): TeardownHooks | null {
  if (isMainThread || !teardownSupported(table)) return null;
  const n = native!;
  const { addCleanupHook, removeCleanupHook } = processFfi();
  // Registered first, so it runs last: after the destroy hook below.
  if (addCleanupHook(n.env, n.spinUnlock, state) !== 0) return null;
  if (addCleanupHook(n.env, n.stub, cell) !== 0) {
    removeCleanupHook(n.env, n.spinUnlock, state);
    return null;
  }
  return Object.freeze({ native: n, state, cell });
}

/** Removes the hooks of armTeardown (same function and argument, as Node-API requires). */
export function disarmTeardown(hooks: TeardownHooks): void {
  const { removeCleanupHook } = processFfi();
  removeCleanupHook(hooks.native.env, hooks.native.stub, hooks.cell);
  removeCleanupHook(hooks.native.env, hooks.native.spinUnlock, hooks.state);
}

let closeHook: bigint | null | undefined;

/**
 * On a worker thread, makes libc's `close(fd)` a cleanup hook of the thread's environment, so
 * a descriptor of ours (an eventfd) does not outlive a worker that is terminated; `close`
 * takes an int, which x86_64 and arm64 pass in the low half of the register that carries the
 * hook's pointer argument. Returns the function that removes the hook: call it BEFORE closing
 * the fd yourself, so that a later hook can never close a number reused by another file.
 * A no-op on the main thread and where teardown is not supported.
 */
export function closeAtThreadExit(fd: number): () => void {
  if (isMainThread || !teardownSupported()) return () => {};
  const n = native!;
  const { addCleanupHook, dlsym, removeCleanupHook } = processFfi();
  closeHook ??= (dlsym(null, 'close') as bigint | null) ?? null;
  if (closeHook === null) return () => {};
  const hook = closeHook;
  const arg = BigInt(fd);
  if (addCleanupHook(n.env, hook, arg) !== 0) return () => {};
  let armed = true;
  return () => {
    if (!armed) return;
    armed = false;
    removeCleanupHook(n.env, hook, arg);
  };
}

/**
 * close(2) of a descriptor this package opened (an eventfd), without node:fs: in a worker,
 * fs.closeSync of an fd node did not open itself prints "closed but not opened in unmanaged
 * mode". Errors are ignored, as close's are after the fd is gone.
 */
export function closeFd(fd: number): void {
  processFfi().close(fd);
}
