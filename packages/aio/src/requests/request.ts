// The common part of every request: file, rwFlags, priority, resfd and state. Requests are
// reusable after completion and can be changed while idle or done (linux_aio's setters);
// changing one that is queued or in flight would swap memory under the kernel, so it throws.
import { validateInteger } from '@aio/bind/internal';
import type { RequestState, RequestStatus } from '../engine/op.js';
import { RequestBusyError } from '../errors.js';
import { type FileLike, ioprioOf, type Priority, toFd, validateRwFlags } from '../validate.js';

/** The command a request runs. */
export type AioCommand = 'read' | 'write' | 'readv' | 'writev' | 'fsync' | 'fdsync' | 'poll';

/** Where a request is: 'idle' (never run), 'queued', 'in-flight' or 'done'. */
export type { RequestState };

/** @internal The state record the engine keeps current while the request runs. */
export let requestStatus: (request: AioRequest) => RequestStatus;

/** @internal The aio_reqprio value of a request's priority, or -1. */
export let requestIoprio: (request: AioRequest) => number;

/** @internal True for an object constructed as an AioRequest (a brand check, not instanceof). */
export let isAioRequest: (value: unknown) => value is AioRequest;

/** Throws ERR_AIO_REQUEST_BUSY unless the request is idle or done. */
export function assertIdle(request: AioRequest): void {
  const { state } = request;
  if (state === 'queued' || state === 'in-flight') throw new RequestBusyError(state);
}

/**
 * A request (linux_aio's "block"): one command on one file, run with `AioContext.run()` or
 * `submit()`. Subclasses: ReadRequest, WriteRequest, ReadvRequest, WritevRequest,
 * FsyncRequest, FdsyncRequest, PollRequest.
 */
export abstract class AioRequest {
  /** The command this request runs. */
  abstract readonly command: AioCommand;
  #file: FileLike;
  #rwFlags = 0;
  #priority: Priority | null = null;
  #ioprio = -1;
  #resfd: number | null = null;
  readonly #status: RequestStatus = { state: 'idle' };

  static {
    requestStatus = (request) => request.#status;
    requestIoprio = (request) => request.#ioprio;
    isAioRequest = (value): value is AioRequest =>
      typeof value === 'object' && value !== null && #status in value;
  }

  /** @throws {TypeError} `ERR_INVALID_ARG_TYPE` / {@link RangeError} `ERR_OUT_OF_RANGE` for a bad file. */
  constructor(file: FileLike) {
    toFd(file);
    this.#file = file;
  }

  /** Whether the command reads or writes (and so takes rwFlags). */
  protected get transfers(): boolean {
    return true;
  }

  /** The file descriptor (a FileHandle's current fd: -1 once it is closed). */
  get fd(): number {
    return typeof this.#file === 'number' ? this.#file : this.#file.fd;
  }

  /** Sets the file: a descriptor or a FileHandle. */
  set fd(file: FileLike) {
    assertIdle(this);
    toFd(file, 'fd');
    this.#file = file;
  }

  /** The file as given (number or FileHandle). */
  get file(): FileLike {
    return this.#file;
  }

  /** `RWF_*` flags (reads and writes only). */
  get rwFlags(): number {
    return this.#rwFlags;
  }

  set rwFlags(flags: number) {
    assertIdle(this);
    this.#rwFlags = validateRwFlags(flags, this.transfers, 'rwFlags');
  }

  /** I/O priority, or null for the default. */
  get priority(): Priority | null {
    return this.#priority === null ? null : { ...this.#priority };
  }

  set priority(priority: Priority | null) {
    assertIdle(this);
    this.#ioprio = priority === null ? -1 : ioprioOf(priority, 'priority');
    this.#priority = priority === null ? null : { class: priority.class, level: priority.level };
  }

  /**
   * An eventfd the kernel signals on completion instead of the context's (IOCB_FLAG_RESFD),
   * or null. Only for `submit()`: collect such a request's event with `getEvents()` when your
   * eventfd fires; `run()` refuses it.
   */
  get resfd(): number | null {
    return this.#resfd;
  }

  set resfd(fd: number | null) {
    assertIdle(this);
    if (fd !== null) validateInteger(fd, 'resfd', 0, 0x7fff_ffff);
    this.#resfd = fd;
  }

  /** 'idle', 'queued', 'in-flight' or 'done'. */
  get state(): RequestState {
    return this.#status.state;
  }

  /** Copies rwFlags, priority and resfd onto a request made by withCommand(). */
  protected copyCommonTo<T extends AioRequest>(target: T): T {
    if (target.transfers) target.rwFlags = this.#rwFlags;
    target.priority = this.#priority;
    target.resfd = this.#resfd;
    return target;
  }
}
