// One internal shape for every request on its way through a context, whether it came from a
// Promise method, run() or submit(): monomorphic property access on the hot path. An Op is a
// snapshot: everything a caller could change later (a getter, a view's properties, an option
// object) was read once, at the call, through the intrinsics, and the engine never looks at
// the caller's objects again.

/** How an Op settles when its completion is reaped. */
export const SETTLE_RESULT = 0; // resolve res (bytes / revents), reject on res < 0
export const SETTLE_VOID = 1; // resolve undefined, reject on res < 0
export const SETTLE_EVENT = 2; // resolve an AioEvent (run)
export const SETTLE_MANUAL = 3; // hand an AioEvent to getEvents() / events() (submit)

/**
 * Where an Op is. Reads and writes start in PHASE_KERNEL; one that would block there (a
 * page-cache miss, a pipe without data, a buffered write that may wait) moves on, and its
 * result is the total of all phases, as if one call had done it.
 */
export const PHASE_KERNEL = 0; // io_submit on the event loop's thread, never waiting
export const PHASE_POLL = 1; // IOCB_CMD_POLL for readiness first (pipes, sockets, ttys)
export const PHASE_LANE = 2; // a node:fs call on the libuv threadpool (no kernel slot)
export const PHASE_KERNEL_LANE = 3; // io_submit on the threadpool; completes on the ring

/** Where a request is (AioRequest.state). */
export type RequestState = 'idle' | 'queued' | 'in-flight' | 'done';

/**
 * The state record of a run()/submit() request: created by the request, written only by the
 * engine (which alone knows where the request is), read by AioRequest.state.
 */
export interface RequestStatus {
  state: RequestState;
}

export type Resolve = (value: unknown) => void;
export type Reject = (reason: unknown) => void;

export class Op {
  /** IOCB_CMD_* the caller asked for. */
  cmd: number;
  fd: number;
  /** The object the fd came from (FdInfo cache key), or null for a number. */
  file: object | null;
  /** The file is a genuine fs.promises FileHandle (decided once, at the call). */
  fileHandle: boolean;
  /** A genuine FileHandle whose descriptor this op holds open (see file-handles.ts). */
  held: object | null;
  /** PREAD/PWRITE memory: the buffer (referenced until every phase is done), offset, length. */
  ab: ArrayBufferLike | null;
  byteOffset: number;
  /** Bytes to transfer (all buffers together). */
  length: number;
  /** PREADV/PWRITEV memory, one entry per buffer, and the iovec array encoded from it. */
  abs: ArrayBufferLike[] | null;
  offsets: number[] | null;
  lengths: number[] | null;
  iov: Uint8Array | null;
  /** File offset when it is a safe integer; see bigPosition. */
  position: number;
  /** File offset at or above 2^53, else null. */
  bigPosition: bigint | null;
  /** POLL event mask (of the request, or of the readiness wait in PHASE_POLL). */
  events: number;
  /** The caller's RWF_* flags. */
  rwFlags: number;
  /** aio_reqprio, or -1 for none. */
  ioprio: number;
  /** A user eventfd to signal instead of the context's, or -1. */
  resfd: number;
  settle: number;
  resolve: Resolve | null;
  reject: Reject | null;
  /** The run()/submit() request (an AioRequest, opaque to the engine) and its state record. */
  request: object | null;
  status: RequestStatus | null;
  signal: AbortSignal | null;
  onAbort: (() => void) | null;
  /** Abort asked for while in flight: reject with AbortError when the kernel is done. */
  aborted: boolean;
  /** Cancelled by close(): reject with ERR_AIO_CLOSED. */
  closed: boolean;
  /** Settled (or removed) while still in the queue: skip it. */
  dropped: boolean;
  /** The iocb slot while the kernel holds it, else -1. */
  slot: number;
  /** The engine pump that submitted it (to tell inline completions from device ones). */
  epoch: number;
  /** Submitted without the eventfd signal: expected to complete inside io_submit. */
  silent: boolean;
  phase: number;
  /** Its first route was decided (routes are decided once, when it first leaves the queue). */
  routed: boolean;
  /** RWF_NOWAIT was added by the engine (so EAGAIN means "would block", not a result). */
  nowait: boolean;
  /** Bytes transferred by earlier phases. */
  done: number;
  /** Whether the file has positions (false for pipes, sockets, ttys: the lane reads at -1). */
  seekable: boolean;
  /** On the lane, a copy of cached data (CPU-bound: the lane runs few of those at once). */
  copy: boolean;
  /** The pointer array of a PHASE_KERNEL_LANE io_submit, alive until its call returned. */
  lanePointers: BigUint64Array | null;

  constructor(cmd: number, settle: number) {
    this.cmd = cmd;
    this.fd = -1;
    this.file = null;
    this.fileHandle = false;
    this.held = null;
    this.ab = null;
    this.byteOffset = 0;
    this.length = 0;
    this.abs = null;
    this.offsets = null;
    this.lengths = null;
    this.iov = null;
    this.position = 0;
    this.bigPosition = null;
    this.events = 0;
    this.rwFlags = 0;
    this.ioprio = -1;
    this.resfd = -1;
    this.settle = settle;
    this.resolve = null;
    this.reject = null;
    this.request = null;
    this.status = null;
    this.signal = null;
    this.onAbort = null;
    this.aborted = false;
    this.closed = false;
    this.dropped = false;
    this.slot = -1;
    this.epoch = 0;
    this.silent = false;
    this.phase = PHASE_KERNEL;
    this.routed = false;
    this.nowait = false;
    this.done = 0;
    this.seekable = true;
    this.copy = false;
    this.lanePointers = null;
  }
}
