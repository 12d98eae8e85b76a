// One internal shape for every request on its way through a context, whether it came from a
// Promise method, run() or submit(): monomorphic property access on the hot path.
import type { AioRequest } from './request.js';

/** How an Op settles when its completion is reaped. */
export const SETTLE_RESULT = 0; // resolve res (bytes / revents), reject on res < 0
export const SETTLE_VOID = 1; // resolve undefined, reject on res < 0
export const SETTLE_EVENT = 2; // resolve an AioEvent (run)
export const SETTLE_MANUAL = 3; // hand an AioEvent to getEvents() / events() (submit)

export type Resolve = (value: unknown) => void;
export type Reject = (reason: unknown) => void;

export class Op {
  /** IOCB_CMD_* */
  cmd: number;
  fd: number;
  /** The FileHandle-like object the fd came from (its type is cached on it), or null. */
  handle: object | null;
  /** PREAD/PWRITE buffer: referenced here until the completion is reaped. */
  buffer: ArrayBufferView | null;
  /** PREADV/PWRITEV buffers and their encoded iovec array: referenced until reaped. */
  buffers: readonly ArrayBufferView[] | null;
  iov: Uint8Array | null;
  /** File offset when it is a safe integer; see bigPosition. */
  position: number;
  /** File offset at or above 2^53, else null. */
  bigPosition: bigint | null;
  /** Bytes to transfer (all buffers together). */
  length: number;
  /** POLL event mask. */
  events: number;
  rwFlags: number;
  /** aio_reqprio, or -1 for none. */
  ioprio: number;
  /** A user eventfd to signal instead of the context's, or -1. */
  resfd: number;
  settle: number;
  resolve: Resolve | null;
  reject: Reject | null;
  request: AioRequest | null;
  signal: AbortSignal | null;
  onAbort: (() => void) | null;
  /** Abort asked for while in flight: reject with AbortError when the kernel is done. */
  aborted: boolean;
  /** Cancelled by close(): reject with ERR_AIO_CLOSED. */
  closed: boolean;
  /** Settled (or removed) while still in the queue: skip it. */
  dropped: boolean;
  /** The iocb slot while in flight, else -1. */
  slot: number;
  /** The engine pump that submitted it (to tell inline completions from device ones). */
  epoch: number;
  /** Submitted without the eventfd signal: expected to complete inside io_submit. */
  silent: boolean;

  constructor(cmd: number, fd: number, handle: object | null, settle: number) {
    this.cmd = cmd;
    this.fd = fd;
    this.handle = handle;
    this.buffer = null;
    this.buffers = null;
    this.iov = null;
    this.position = 0;
    this.bigPosition = null;
    this.length = 0;
    this.events = 0;
    this.rwFlags = 0;
    this.ioprio = -1;
    this.resfd = -1;
    this.settle = settle;
    this.resolve = null;
    this.reject = null;
    this.request = null;
    this.signal = null;
    this.onAbort = null;
    this.aborted = false;
    this.closed = false;
    this.dropped = false;
    this.slot = -1;
    this.epoch = 0;
    this.silent = false;
  }
}
