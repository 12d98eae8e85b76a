// How a context learns that completions arrived, without a thread per request or a busy
// loop: its iocbs signal an eventfd (IOCB_FLAG_RESFD), and the eventfd is watched either by
// libuv itself ('poll': uv_poll through koffi, no thread) or by one libuv threadpool thread
// sleeping in read(2) ('threadpool': the fallback where uv_poll is unavailable).
//
// The threadpool waiter reads the eventfd instead of calling io_getevents: io_getevents on
// another thread would race the user-space ring reads of the main thread, and a main-thread
// getEvents() could then wait for an event the waiter had taken.
import { closeSync, writeSync } from 'node:fs';
import { EFD, eventfd, eventfdRead, eventfdWait, FdPoller } from '@aio/bind';
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
  /** Stop for good and close the eventfd. */
  close(): void;
}

const ONE = new BigUint64Array([1n]);

class PollWaker implements Waker {
  readonly backend = 'poll' as const;
  readonly fd: number;
  readonly #poller: FdPoller;
  readonly #busy: () => boolean;
  readonly #exit: { release(): void };
  #stopPending = false;

  constructor(onWake: () => void, busy: () => boolean) {
    this.fd = eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC);
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
    closeSync(this.fd);
  }
}

class ThreadpoolWaker implements Waker {
  readonly backend = 'threadpool' as const;
  readonly fd: number;
  readonly #onWake: () => void;
  readonly #exit: { release(): void };
  #waiting = false;
  #closed = false;

  constructor(onWake: () => void) {
    this.fd = eventfd(0, EFD.CLOEXEC); // blocking: the pool thread sleeps in read()
    this.#onWake = onWake;
    // At exit, node joins its threadpool: a thread asleep in read() would hang it forever.
    this.#exit = closeAtExit(this);
  }

  arm(): void {
    if (this.#waiting || this.#closed) return;
    this.#waiting = true;
    eventfdWait(this.fd).then(this.#woke, this.#woke);
  }

  readonly #woke = (): void => {
    this.#waiting = false;
    // The fd is closed only once no pool thread can be inside read() on it: closing it
    // earlier could let that read land on a reused descriptor.
    if (this.#closed) closeSync(this.fd);
    else this.#onWake();
  };

  disarm(): void {
    if (this.#waiting) writeSync(this.fd, ONE); // release the pool thread and the process
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#exit.release();
    if (this.#waiting) writeSync(this.fd, ONE);
    else closeSync(this.fd);
  }
}

/** The waker for `backend` ('auto': poll where koffi offers uv_poll, else threadpool). */
export function createWaker(
  backend: Backend | 'auto',
  onWake: () => void,
  busy: () => boolean,
): Waker {
  const chosen = backend === 'auto' ? (FdPoller.available ? 'poll' : 'threadpool') : backend;
  return chosen === 'poll' ? new PollWaker(onWake, busy) : new ThreadpoolWaker(onWake);
}
