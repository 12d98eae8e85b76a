// How a request's Promise is made and settled, and what the op holds until then: the abort
// listener, the hold on a genuine FileHandle's descriptor, the request's state record and its
// entry in the by-request index (for cancel()). The engine owns one Settler; nothing else
// touches these.
import { AbortError, ContextClosedError } from '../errors.js';
import { holdFileHandle, releaseFileHandle } from '../file-handles.js';
import {
  abortSignalReason,
  addEventListener,
  PromiseCtor,
  removeEventListener,
} from '../primordials.js';
import { completionError } from './failures.js';
import type { CompletedEvents } from './manual-events.js';
import {
  type Op,
  type Reject,
  type RequestState,
  type Resolve,
  SETTLE_EVENT,
  SETTLE_MANUAL,
  SETTLE_VOID,
} from './op.js';

// One executor for every request's Promise (no closure allocated per request): the op being
// promised is handed over through this variable, which the executor reads synchronously.
let opBeingPromised: Op | null = null;
function takeResolvers(resolve: Resolve, reject: Reject): void {
  const op = opBeingPromised!;
  opBeingPromised = null;
  op.resolve = resolve;
  op.reject = reject;
}

function setState(op: Op, state: RequestState): void {
  if (op.status !== null) op.status.state = state;
}

export class Settler<E> {
  readonly #makeEvent: (op: Op, res: number, res2: number) => E;
  readonly #completed: CompletedEvents<E>;
  readonly #abort: (op: Op) => void;
  /** Ops of run()/submit() requests by request, for cancel(). */
  readonly #byRequest = new Map<object, Op>();

  /** `abort` runs when an op's AbortSignal fires. */
  constructor(
    makeEvent: (op: Op, res: number, res2: number) => E,
    completed: CompletedEvents<E>,
    abort: (op: Op) => void,
  ) {
    this.#makeEvent = makeEvent;
    this.#completed = completed;
    this.#abort = abort;
  }

  makeEvent(op: Op, res: number, res2: number): E {
    return this.#makeEvent(op, res, res2);
  }

  /** The queued or in-flight op of a run()/submit() request, if any. */
  opOf(request: object): Op | undefined {
    return this.#byRequest.get(request);
  }

  /** The op is queued: its promise, its abort listener, its FileHandle held. */
  queued<T>(op: Op): Promise<T> {
    opBeingPromised = op;
    const promise = new PromiseCtor<T>(
      takeResolvers as (resolve: (value: T) => void, reject: Reject) => void,
    );
    const signal = op.signal;
    if (signal !== null) {
      op.onAbort = () => this.#abort(op);
      addEventListener(signal, 'abort', op.onAbort, { once: true });
    }
    if (op.fileHandle && holdFileHandle(op.file!)) op.held = op.file;
    if (op.request !== null) {
      this.#byRequest.set(op.request, op);
      setState(op, 'queued');
    }
    return promise;
  }

  /** The kernel accepted the op. */
  launched(op: Op): void {
    if (op.request !== null) {
      this.#byRequest.set(op.request, op);
      setState(op, 'in-flight');
    }
  }

  /** Settles `op` with its total (bytes, revents) or a negative errno. */
  settle(op: Op, res: number, res2: number, deliver: boolean): E | null {
    this.#detach(op);
    if (op.settle === SETTLE_MANUAL) {
      const event = this.#makeEvent(op, res, res2);
      if (deliver) this.#completed.deliver(event);
      return event;
    }
    const resolve = op.resolve!;
    const reject = op.reject!;
    op.resolve = null;
    op.reject = null;
    if (op.aborted) {
      reject(new AbortError(op.signal === null ? undefined : abortSignalReason(op.signal)));
      return null;
    }
    if (op.settle === SETTLE_EVENT) {
      const event = this.#makeEvent(op, res, res2);
      resolve(event);
      return event;
    }
    if (op.closed)
      reject(new ContextClosedError('The AioContext was closed while the request waited'));
    else if (res < 0) reject(completionError(res, op));
    else resolve(op.settle === SETTLE_VOID ? undefined : res);
    return null;
  }

  /** Rejects (with `error`, unless null) an op that never reached the kernel. */
  fail(op: Op, error: unknown): void {
    this.#detach(op);
    const reject: Reject | null = op.reject;
    op.resolve = null;
    op.reject = null;
    if (error !== null) reject?.(error);
  }

  #detach(op: Op): void {
    if (op.onAbort !== null) removeEventListener(op.signal!, 'abort', op.onAbort);
    op.onAbort = null;
    if (op.held !== null) {
      const held = op.held;
      op.held = null;
      releaseFileHandle(held);
    }
    if (op.request !== null) {
      this.#byRequest.delete(op.request);
      setState(op, op.slot < 0 && op.dropped ? 'idle' : 'done');
    }
  }
}
