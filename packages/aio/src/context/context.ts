// AioContext: linux_aio's AIOContext with Promise methods delivered on Node's event loop.
// Arguments are checked here; the engine (engine.ts) does the kernel work.
// (Over 250 lines: the public API's 16 members with their TSDoc; each is a few lines of
// snapshot and hand-over to the engine, and the manual API's work is in manual.ts.)
import { InvalidArgTypeError, InvalidArgValueError, IOCB_CMD } from '@aio/bind';
import {
  cancelInKernel,
  cancellableQueued,
  cancelPolls,
  cancelQueued,
} from '../engine/cancellation.js';
import { Engine } from '../engine/engine.js';
import { withOperation } from '../engine/failures.js';
import { watchOwner } from '../engine/lifetime.js';
import { Op, SETTLE_EVENT, SETTLE_MANUAL, SETTLE_RESULT, SETTLE_VOID } from '../engine/op.js';
import { applyOptions, setBuffer, setBuffers, setFile, setPosition } from '../engine/snapshot.js';
import type { Backend } from '../engine/waker.js';
import { ContextClosedError } from '../errors.js';
import { opcode } from '../opcodes.js';
import { PromiseCtor } from '../primordials.js';
import { AioEvent } from '../requests/event.js';
import { type AioRequest, assertIdle } from '../requests/request.js';
import { opFromRequest, validateRequest } from '../requests/request-op.js';
import {
  type FileLike,
  type RequestOptions,
  validatePollEvents,
  validateSignal,
} from '../validate.js';
import {
  type AioContextOptions,
  type AioContextStats,
  type RunOptions,
  validateContextOptions,
} from './context-options.js';
import { collectEvents, eventIterator, validateGetEvents } from './manual.js';

/**
 * A kernel AIO context: an io_setup ring, an eventfd watched by Node's event loop, and a
 * queue. Requests asked for in one tick are submitted together; completions settle Promises.
 * An idle context keeps nothing alive; one with requests in flight keeps the process alive.
 */
export class AioContext implements AsyncDisposable, Disposable {
  readonly #engine: Engine<AioEvent>;
  #closed = false;
  #closing: Promise<void> | null = null;

  /**
   * @throws {AioError} EAGAIN when aio-max-nr has no room for `maxRequests` (the hint gives the
   * numbers); `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` / `ERR_OUT_OF_RANGE` for bad options.
   */
  constructor(options: AioContextOptions = {}) {
    this.#engine = new Engine({ ...validateContextOptions(options), makeEvent: AioEvent.of });
    watchOwner(this, this.#engine);
  }

  /** The most requests in flight at once. */
  get maxRequests(): number {
    return this.#engine.max;
  }

  /** Requests the kernel holds now (submitted, not yet completed and reaped). */
  get inFlight(): number {
    return this.#engine.inFlight;
  }

  /** Requests waiting for a free slot. */
  get queued(): number {
    return this.#engine.queued;
  }

  /** True once close() or closeSync() was called: no new work is accepted. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Iocbs per io_submit call at the moment ('auto' switches between 16 and 1). */
  get submitBatch(): number {
    return this.#engine.submitBatch;
  }

  /** Which mechanism wakes the event loop on completions. */
  get backend(): Backend {
    return this.#engine.backend;
  }

  /** Where this context's requests went (counters since it was created; a fresh object). */
  get stats(): AioContextStats {
    return this.#engine.stats;
  }

  #op(cmd: number, file: unknown, settle: number): Op {
    const op = new Op(cmd, settle);
    setFile(op, file);
    return op;
  }

  /**
   * Queues a snapshot made by the caller's arguments. The closed check comes after the
   * snapshot: a getter run by it may close the context, and the request must then be refused,
   * not left on a destroyed engine.
   */
  #submit<T>(op: Op): Promise<T> {
    if (this.#closed) return PromiseCtor.reject(new ContextClosedError()) as Promise<T>;
    return this.#engine.enqueue(op);
  }

  /** read, write (one buffer) and readv, writev (`memory` is an array of buffers). */
  #transfer(
    cmd: number,
    file: unknown,
    memory: unknown,
    position: unknown,
    options: unknown,
  ): Promise<number> {
    let op: Op;
    try {
      op = this.#op(cmd, file, SETTLE_RESULT);
      if (opcode(cmd).vector) setBuffers(op, memory);
      else setBuffer(op, memory);
      setPosition(op, position);
      if (options !== undefined) applyOptions(op, options, true);
    } catch (error) {
      return PromiseCtor.reject(error);
    }
    return this.#submit(op);
  }

  #sync(cmd: number, file: unknown, options: unknown): Promise<void> {
    let op: Op;
    try {
      op = this.#op(cmd, file, SETTLE_VOID);
      if (options !== undefined) applyOptions(op, options, false);
    } catch (error) {
      return PromiseCtor.reject(error);
    }
    return this.#submit(op);
  }

  /**
   * Reads `buffer.byteLength` bytes at `position` (required: AIO has no file pointer).
   * Resolves the bytes read (fewer at end of file).
   * @throws (rejects) `ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`, `ERR_AIO_CLOSED`, `ABORT_ERR`,
   * or an AioError (`syscall` 'io_submit' or 'IOCB_CMD_PREAD') with fd, command, position, length.
   */
  read(
    file: FileLike,
    buffer: ArrayBufferView,
    position: number | bigint,
    options?: RequestOptions,
  ): Promise<number> {
    return this.#transfer(IOCB_CMD.PREAD, file, buffer, position, options);
  }

  /** Writes `buffer` at `position`; resolves the bytes written. Rejects as read(). */
  write(
    file: FileLike,
    buffer: ArrayBufferView,
    position: number | bigint,
    options?: RequestOptions,
  ): Promise<number> {
    return this.#transfer(IOCB_CMD.PWRITE, file, buffer, position, options);
  }

  /** Reads into `buffers` in order from `position` (at most IOV_MAX buffers); resolves the bytes read. */
  readv(
    file: FileLike,
    buffers: readonly ArrayBufferView[],
    position: number | bigint,
    options?: RequestOptions,
  ): Promise<number> {
    return this.#transfer(IOCB_CMD.PREADV, file, buffers, position, options);
  }

  /** Writes `buffers` in order at `position`; resolves the bytes written. */
  writev(
    file: FileLike,
    buffers: readonly ArrayBufferView[],
    position: number | bigint,
    options?: RequestOptions,
  ): Promise<number> {
    return this.#transfer(IOCB_CMD.PWRITEV, file, buffers, position, options);
  }

  /** Flushes the file's data and metadata to the device (IOCB_CMD_FSYNC). */
  fsync(file: FileLike, options?: RequestOptions): Promise<void> {
    return this.#sync(IOCB_CMD.FSYNC, file, options);
  }

  /** Flushes the file's data, and the metadata needed to read it (IOCB_CMD_FDSYNC). */
  fdatasync(file: FileLike, options?: RequestOptions): Promise<void> {
    return this.#sync(IOCB_CMD.FDSYNC, file, options);
  }

  /**
   * Resolves the revents mask once the file is ready for `events` (POLL.* bits from
   * @aio/bind). Pending polls are cancelled by close() (rejecting `ERR_AIO_CLOSED`) and by
   * their AbortSignal (io_cancel).
   */
  poll(file: FileLike, events: number, options?: RequestOptions): Promise<number> {
    let op: Op;
    try {
      op = this.#op(IOCB_CMD.POLL, file, SETTLE_RESULT);
      validatePollEvents(events);
      op.events = events;
      if (options !== undefined) applyOptions(op, options, false);
    } catch (error) {
      return PromiseCtor.reject(error);
    }
    return this.#submit(op);
  }

  /**
   * Runs a request; resolves its AioEvent, also when the kernel reports an error in `res`
   * (see `event.ok` / `event.error`). Rejects when the request cannot be submitted at all.
   */
  run(request: AioRequest, options?: RunOptions): Promise<AioEvent> {
    let op: Op;
    try {
      validateRequest(request);
      assertIdle(request);
      if (request.resfd !== null) {
        throw new InvalidArgValueError(
          'request.resfd',
          request.resfd,
          "is for submit(): run() waits on the context's eventfd",
        );
      }
      op = opFromRequest(request, SETTLE_EVENT);
      if (options !== undefined) {
        if (typeof options !== 'object' || options === null)
          throw new InvalidArgTypeError('options', 'of type object', options);
        if (options.signal !== undefined) {
          validateSignal(options.signal);
          op.signal = options.signal;
        }
      }
    } catch (error) {
      return PromiseCtor.reject(error);
    }
    return this.#submit(op);
  }

  /**
   * linux_aio-style: submits the requests now (no queue), as many as there is room for, and
   * returns how many went in. Stops at the first the kernel refuses, and throws only when that
   * is the first. Collect completions with getEvents() or events().
   */
  submit(...requests: AioRequest[]): number {
    const seen = new Set<AioRequest>();
    requests.forEach((request, i) => {
      validateRequest(request, `requests[${i}]`);
      assertIdle(request);
      if (seen.has(request))
        throw new InvalidArgValueError(`requests[${i}]`, request.command, 'appears twice');
      seen.add(request);
    });
    const ops = requests.map((request) => opFromRequest(request, SETTLE_MANUAL));
    if (this.#closed) throw new ContextClosedError();
    return this.#engine.submitNow(ops);
  }

  /**
   * linux_aio-style: returns between `minNr` and `maxNr` completions of submit()-ed requests,
   * blocking the thread (up to `timeoutNs`, forever when omitted) while fewer than `minNr`
   * are available and some are still in flight. Prefer events() on the event loop.
   */
  getEvents(minNr: number, maxNr: number, timeoutNs?: number | bigint): AioEvent[] {
    const timeout = validateGetEvents(minNr, maxNr, timeoutNs);
    return collectEvents(this.#engine, minNr, maxNr, timeout);
  }

  /**
   * Cancels a run()/submit() request. Queued: it is removed, and its event (res -ECANCELED) is
   * returned and also resolves run(). In flight: io_cancel; current kernels deliver the event
   * later (through run(), getEvents() or events()) and null is returned. Only polls can be
   * cancelled in flight.
   * @throws {AioError} EINVAL (with fd and command) for an in-flight read, write or sync;
   * `ERR_INVALID_ARG_VALUE` when the request is not queued or in flight here.
   */
  cancel(request: AioRequest): AioEvent | null {
    validateRequest(request);
    const engine = this.#engine;
    const op = engine.opOf(request);
    if (op === undefined) {
      throw new InvalidArgValueError(
        'request',
        request.command,
        'is not queued or in flight on this context',
      );
    }
    // The engine makes its events with AioEvent.of (see the constructor).
    if (cancellableQueued(op)) return cancelQueued(engine, op) as AioEvent;
    try {
      return cancelInKernel(engine, op, false) as AioEvent | null;
    } catch (error) {
      if (error instanceof Error && 'errno' in error) throw withOperation(error as never, op);
      throw error;
    }
  }

  /**
   * Completions of submit()-ed requests as they arrive, on the event loop. Ends when the
   * context is destroyed (after yielding what arrived before), or when the loop breaks.
   */
  events(): AsyncIterableIterator<AioEvent> {
    return eventIterator(this.#engine);
  }

  /**
   * Stops accepting work, lets queued and in-flight requests finish, cancels pending polls,
   * then destroys the context (io_destroy). Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing === null) {
      this.#closed = true;
      const engine = this.#engine;
      engine.beginClose();
      cancelPolls(engine);
      this.#closing = engine.whenDestroyed();
    }
    return this.#closing;
  }

  /** close(), blocking the thread until the kernel has finished every request. */
  closeSync(): void {
    const engine = this.#engine;
    engine.assertNotRunning('closeSync()');
    this.#closed = true;
    if (!engine.closing) {
      engine.beginClose();
      cancelPolls(engine);
    }
    // Blocking by contract: what would go to the threadpool is submitted plainly instead.
    // Requests already on the threadpool settle later (their memory stays held by node).
    engine.whileBlocking(() => {
      while (!engine.destroyed) {
        engine.pump(); // submits what is queued, reaps
        engine.kernelLane.drainSync();
        if (engine.inFlight > 0) engine.waitSync(null);
        else if (engine.queued === 0) engine.destroy();
      }
    });
    this.#closing ??= PromiseCtor.resolve();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  [Symbol.dispose](): void {
    this.closeSync();
  }
}
