// How a context learns that completions arrived, without a thread per request or a busy
// loop: its iocbs signal an eventfd (IOCB_FLAG_RESFD), and the eventfd is watched either by
// libuv itself ('poll': uv_poll through koffi, no thread) or, where uv_poll is unavailable
// (Bun has no uv_poll_init_socket), by the threadpool ('threadpool').
//
// The threadpool waiter is one per thread, however many contexts use it: they all signal one
// eventfd, and one pool call waits on it with poll(2) for at most 50 ms at a time, so other
// threadpool users (node:fs, dns, zlib, the lane) get the thread back at least that often,
// and a worker's teardown waits no longer than that. It reads the eventfd instead of calling
// io_getevents: io_getevents on another thread would race the main thread's ring reads.
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { EFD, eventfd, eventfdRead, FdPoller } from '@aio/bind';
import { closeAtThreadExit, closeFd, pollOnThreadpool } from '@aio/bind/internal';
import { closeAtExit } from './lifetime.js';

/** Which mechanism wakes a context: 'poll' (uv_poll, no thread) or 'threadpool'. */
export type Backend = 'poll' | 'threadpool';

export interface Waker {
  readonly backend: Backend;
  /** The eventfd requests signal. */
  readonly fd: number;
  /** Call onWake when a completion arrives (idempotent). */
  arm(): void;
  /** Nothing is in flight: stop holding the process alive. */
  disarm(): void;
  /** Stop for good (and close the eventfd when no one else uses it). */
  close(): void;
}

const ONE = new BigUint64Array([1n]);
/** The longest one threadpool wait holds its pool thread. */
const POOL_WAIT_MS = 50;

/** A new eventfd that a terminated worker does not leave open; returns it and its release. */
function ownEventfd(): { fd: number; release: () => void } {
  const fd = eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC);
  return { fd, release: closeAtThreadExit(fd) };
}

/** Closes an eventfd from ownEventfd(): the teardown hook goes first (fd numbers are reused). */
function closeOwn(own: { fd: number; release: () => void }): void {
  own.release();
  closeFd(own.fd);
}

class PollWaker implements Waker {
  readonly backend = 'poll' as const;
  readonly fd: number;
  readonly #own: { fd: number; release: () => void };
  readonly #poller: FdPoller;
  readonly #busy: () => boolean;
  readonly #exit: { release(): void };
  #stopPending = false;

  constructor(onWake: () => void, busy: () => boolean) {
    this.#own = ownEventfd();
    this.fd = this.#own.fd;
    this.#busy = busy;
    this.#poller = new FdPoller(this.fd, (error) => {
      if (error !== null) process.emitWarning(error);
      // Drain first: a completion after the drain signals again, so none is missed.
      eventfdRead(this.fd);
      onWake();
    });
    this.#exit = closeAtExit(this.#poller);
  }

  arm(): void {
    this.#poller.start();
  }

  disarm(): void {
    // Stop at the end of this loop turn, not now: a Promise loop at queue depth 1 submits its
    // next request before then, and keeping the watcher saves two epoll_ctl calls per request.
    if (!this.#poller.active || this.#stopPending) return;
    this.#stopPending = true;
    setImmediate(this.#stopIfIdle);
  }

  readonly #stopIfIdle = (): void => {
    this.#stopPending = false;
    if (!this.#busy()) this.#poller.stop();
  };

  close(): void {
    this.#poller.close();
    this.#exit.release();
    closeOwn(this.#own);
  }
}

/** The thread's one threadpool waiter, shared by every 'threadpool' context. */
class PoolWaiter {
  readonly #own = ownEventfd();
  readonly fd = this.#own.fd;
  readonly members = new Set<SharedWaker>();
  #waiting = false;
  #closed = false;

  /** Starts a wait unless one is running. */
  arm(): void {
    if (this.#waiting || this.#closed) return;
    this.#waiting = true;
    pollOnThreadpool(this.fd, POOL_WAIT_MS, this.#woke);
  }

  readonly #woke = (): void => {
    this.#waiting = false;
    if (this.#closed) {
      // Closed only once no pool thread can be inside poll() on it (a reused number).
      closeOwn(this.#own);
      return;
    }
    eventfdRead(this.fd);
    let armed = false;
    for (const member of this.members) armed = member.woke() || armed;
    if (armed) this.arm();
  };

  /** Releases the pool thread now (the wait returns at once). */
  release(): void {
    if (this.#waiting) writeSync(this.fd, ONE);
  }

  /** The last member left: close, now or once the running wait returns. */
  close(): void {
    this.#closed = true;
    waiter = null;
    if (this.#waiting) writeSync(this.fd, ONE);
    else closeOwn(this.#own);
  }
}

let waiter: PoolWaiter | null = null;

class SharedWaker implements Waker {
  readonly backend = 'threadpool' as const;
  readonly fd: number;
  readonly #waiter: PoolWaiter;
  readonly #onWake: () => void;
  #armed = false;

  constructor(onWake: () => void) {
    waiter ??= new PoolWaiter();
    this.#waiter = waiter;
    this.fd = waiter.fd;
    this.#onWake = onWake;
    waiter.members.add(this);
  }

  /** The shared wait returned: runs onWake when armed; returns whether still armed. */
  woke(): boolean {
    if (this.#armed) this.#onWake();
    return this.#armed;
  }

  arm(): void {
    this.#armed = true;
    this.#waiter.arm();
  }

  disarm(): void {
    if (!this.#armed) return;
    this.#armed = false;
    for (const member of this.#waiter.members) if (member.#armed) return;
    this.#waiter.release(); // no one waits: give the pool thread back, let the process exit
  }

  close(): void {
    this.disarm();
    this.#waiter.members.delete(this);
    if (this.#waiter.members.size === 0) this.#waiter.close();
  }
}

/** Whether this runtime offers uv_poll through koffi (Bun has no uv_poll_init_socket). */
export function pollAvailable(): boolean {
  return FdPoller.available && typeof process.versions.bun !== 'string';
}

/**
 * The backend 'auto' picks: 'poll' on the main thread where uv_poll is available; in a worker
 * thread 'threadpool', because koffi's uv_poll callback aborts the process (a napi_throw while
 * the environment is torn down) when a worker is terminated with a completion pending.
 */
export function autoBackend(): Backend {
  return pollAvailable() && isMainThread ? 'poll' : 'threadpool';
}

/** The waker for `backend` ('auto': poll where uv_poll is available, else threadpool). */
export function createWaker(
  backend: Backend | 'auto',
  onWake: () => void,
  busy: () => boolean,
): Waker {
  const chosen = backend === 'auto' ? autoBackend() : backend;
  return chosen === 'poll' ? new PollWaker(onWake, busy) : new SharedWaker(onWake);
}
