// Lifetimes the garbage collector cannot see: the kernel holds addresses, libuv holds handles.
// - A context with requests in flight or queued is kept in `busy` (strongly), so its buffers,
//   iocbs and poll watcher cannot be collected while the kernel uses them, even if the user
//   dropped every reference to the context.
// - A context dropped while idle is destroyed by a FinalizationRegistry (io_destroy, close).
// - Poll handles still open at exit are closed in one process-wide 'exit' hook: an open,
//   started handle on a readable eventfd has aborted node in its teardown.

/** What lifetime management needs from an engine. */
export interface Managed {
  /** Called when the public owner was collected: finish in-flight work, then free. */
  abandon(): void;
}

/** Something to close at exit. */
export interface Closer {
  close(): void;
}

const busy = new Set<Managed>();
const finalizer = new FinalizationRegistry<Managed>((engine) => engine.abandon());

/** Keeps `engine` strongly referenced while it has work, lets it go when idle. */
export function setBusy(engine: Managed, isBusy: boolean): void {
  if (isBusy) busy.add(engine);
  else busy.delete(engine);
}

/** Number of engines with work (for tests). */
export function busyCount(): number {
  return busy.size;
}

/** Calls engine.abandon() once `owner` is collected. `owner` must not be reachable from `engine`. */
export function watchOwner(owner: object, engine: Managed): void {
  finalizer.register(owner, engine, engine);
}

/** Stops watching (the owner was closed explicitly). */
export function forgetOwner(engine: Managed): void {
  finalizer.unregister(engine);
}

interface ExitHook {
  closers: Set<WeakRef<Closer>>;
}

const EXIT_HOOK = Symbol.for('@aio/core.exit-hook');

function exitHook(): ExitHook {
  const holder = process as unknown as { [EXIT_HOOK]?: ExitHook };
  let hook = holder[EXIT_HOOK];
  if (hook === undefined) {
    const created: ExitHook = { closers: new Set() };
    process.once('exit', () => {
      for (const ref of created.closers) ref.deref()?.close();
      created.closers.clear();
    });
    holder[EXIT_HOOK] = created;
    hook = created;
  }
  return hook;
}

/** Closes `closer` at process exit unless it was collected or `release()`d first. */
export function closeAtExit(closer: Closer): { release(): void } {
  const hook = exitHook();
  const ref = new WeakRef(closer);
  hook.closers.add(ref);
  return { release: () => hook.closers.delete(ref) };
}
