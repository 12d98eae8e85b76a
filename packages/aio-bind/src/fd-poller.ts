// FdPoller: watches a file descriptor on Node's event loop through libuv's uv_poll, which
// koffi exposes (koffi.node.poll): no thread, no busy loop.
//
// koffi's addon is a shared object loaded per thread; when a worker whose thread was the
// only one to load it ends, Node unloads it with the worker's environment while libuv may
// still hold the poll handle's callback into it, and the whole process dies (SIGSEGV on
// worker.terminate()). Before the first handle, the addon is opened once more with
// RTLD_NODELETE, so that it is never unmapped.
import { readFileSync } from 'node:fs';
import koffi, { type node } from 'koffi';
import { InvalidArgTypeError } from './arg-errors.js';
import { errnoException } from './errors.js';
import { processFfi } from './ffi.js';
import { validateFd } from './validate.js';

const RTLD_NOW = 0x2;
const RTLD_NODELETE = 0x1000;
let pinned = false;

// Open handles of this thread, closed when it exits: koffi calls a poll callback still
// registered during the thread's teardown (when JavaScript may no longer run) if the fd is
// readable then, and that aborts the process. 'exit' covers process.exit() and the end of
// the event loop, in the main thread and in workers; worker.terminate() emits nothing (see
// the README).
const open = new Set<WeakRef<FdPoller>>();
const forget = new FinalizationRegistry<WeakRef<FdPoller>>((ref) => open.delete(ref));
let exitHook = false;

function track(poller: FdPoller): WeakRef<FdPoller> {
  const ref = new WeakRef(poller);
  open.add(ref);
  forget.register(poller, ref);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const handle of open) handle.deref()?.close();
      open.clear();
    });
  }
  return ref;
}

/** The paths of every koffi addon mapped in this process, from /proc/self/maps. */
export function koffiAddons(): string[] {
  const paths = new Set<string>();
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    const path = /^\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\/.*koffi\.node)$/.exec(line)?.[1];
    if (path !== undefined) paths.add(path);
  }
  return [...paths];
}

/** Keeps koffi's addon mapped for the life of the process (once per thread). */
function pinKoffi(): void {
  if (pinned) return;
  pinned = true;
  try {
    const { dlopen } = processFfi();
    for (const path of koffiAddons()) dlopen(path, RTLD_NOW | RTLD_NODELETE);
  } catch {
    // No /proc or no dlopen: polling still works; only the worker-exit hazard remains.
  }
}

type PollHandle = node.PollHandle;
// koffi.node's PollEvents type is not exported; this is its shape.
type PollCallback = (ev: { readable: boolean; writable: boolean; disconnect: boolean }) => void;

/**
 * Watches a file descriptor for readability on Node's event loop (libuv's uv_poll, through
 * koffi): no thread, no busy loop. Level-triggered: the callback runs on every loop turn while
 * the fd stays readable, so drain it (eventfdRead). A started poller keeps the process alive;
 * a stopped one does not. Close it when done; pollers still open when the thread emits
 * 'exit' (process.exit(), or the end of its event loop) are closed then, and an unreferenced
 * FdPoller is closed by the garbage collector. Stop it before worker.terminate() of its
 * thread: a poll handle whose fd is readable during a worker's teardown aborts the process
 * (koffi calls the callback when JavaScript can no longer run), and terminate emits no 'exit'.
 */
export class FdPoller {
  readonly fd: number;
  #handle: PollHandle | null = null;
  #active = false;
  #closed = false;
  #tracked: WeakRef<FdPoller> | null = null;
  readonly #onReadable: (error: Error | null) => void;
  // A negative status is libuv's (uv_poll saw POLLERR on the fd): nothing was read.
  readonly #callback = (status: number) => {
    this.#onReadable(status < 0 ? errnoException(-status, 'poll', { fd: this.fd }) : null);
  };

  /**
   * @param onReadable called with null when readable, with an AioError (syscall `'poll'`)
   * when libuv reports the fd failed (EBADF).
   */
  constructor(fd: number, onReadable: (error: Error | null) => void) {
    validateFd(fd);
    if (typeof onReadable !== 'function') {
      throw new InvalidArgTypeError('onReadable', 'of type function', onReadable);
    }
    this.fd = fd;
    this.#onReadable = onReadable;
  }

  /** True when koffi offers uv_poll (koffi.node.poll) in this process. */
  static get available(): boolean {
    return typeof koffi.node?.poll === 'function';
  }

  /** Whether the poller is started. */
  get active(): boolean {
    return this.#active;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Starts watching (no-op when started). */
  start(): void {
    if (this.#closed || this.#active) return;
    pinKoffi();
    // koffi's typings say (ev) => void; it calls back with (status, events).
    const callback = this.#callback as unknown as PollCallback;
    if (this.#handle === null) {
      this.#handle = koffi.node.poll(this.fd, { readable: true }, callback);
      this.#tracked = track(this);
    } else this.#handle.start({ readable: true }, callback);
    this.#active = true;
  }

  /** Stops watching; the process may exit while stopped. */
  stop(): void {
    if (!this.#active) return;
    this.#handle?.stop();
    this.#active = false;
  }

  /** Stops and releases the libuv handle; the poller cannot be started again. */
  close(): void {
    if (this.#closed) return;
    this.stop();
    this.#handle?.close();
    this.#handle = null;
    this.#closed = true;
    if (this.#tracked !== null) open.delete(this.#tracked);
    this.#tracked = null;
  }
}
