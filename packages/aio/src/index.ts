// @aio/core: Linux kernel AIO with Promise completions on Node's event loop. Re-exports only.
export { AioError, EFD, IOCB_CMD, IOPRIO_CLASS, POLL, RWF } from '@aio/bind';
export {
  AioContext,
  type AioContextOptions,
  DEFAULT_MAX_REQUESTS,
  type RunOptions,
} from './context.js';
export { SUBMIT_BATCH_DEVICE, SUBMIT_BATCH_INLINE } from './engine.js';
export {
  AbortError,
  type AioCoreErrorCode,
  ContextClosedError,
  RequestBusyError,
} from './errors.js';
export { AioEvent } from './event.js';
export { type AioCommand, AioRequest, type RequestState } from './request.js';
export {
  type BufferCommand,
  BufferRequest,
  FdsyncRequest,
  FsyncRequest,
  PollRequest,
  ReadRequest,
  ReadvRequest,
  type SyncCommand,
  SyncRequest,
  type VectorCommand,
  VectorRequest,
  WriteRequest,
  WritevRequest,
} from './requests.js';
export type { FileLike, Priority, RequestOptions } from './validate.js';
export type { Backend } from './waker.js';
