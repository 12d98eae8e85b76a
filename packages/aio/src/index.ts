// @aio/core: Linux kernel AIO with Promise completions on Node's event loop. Re-exports only;
// ARCHITECTURE.md at the repository root maps the folders behind them.
export { AioError, IOPRIO_CLASS, POLL, RWF } from '@aio/bind';
export { alignDown, alignUp, allocAligned, isAlignedView, MAX_ALIGNMENT } from './aligned.js';
export { AioContext } from './context/context.js';
export {
  type AioContextOptions,
  type AioContextStats,
  DEFAULT_MAX_REQUESTS,
  type RunOptions,
} from './context/context-options.js';
export {
  closeDefaultContext,
  DEFAULT_CONTEXT_MAX_REQUESTS,
  defaultContext,
} from './context/default-context.js';
export { type DirectAlignment, directAlignment, directAlignmentSync } from './direct.js';
export type { Backend } from './engine/waker.js';
export {
  AbortError,
  type AioCoreErrorCode,
  type AlignedField,
  ContextClosedError,
  DirectUnsupportedError,
  MisalignedError,
  ReentrantCallError,
  RequestBusyError,
} from './errors.js';
export {
  AioFile,
  type AioReadOptions,
  type AioReadOptionsWithBuffer,
  type AioWriteOptions,
  type OpenOptions,
  open,
  type ReadResult,
  type WriteResult,
} from './files/file.js';
export type { FileSource } from './files/file-source.js';
export {
  appendFile,
  type WriteFileData,
  type WriteFileOptions,
  writeFile,
} from './files/file-write.js';
export type { OpenFlags } from './files/flags.js';
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CONCURRENCY,
  type FileTransferOptions,
  type ReadFileOptions,
  readFile,
} from './files/read-write-file.js';
export {
  AioReadStream,
  AioWriteStream,
  createReadStream,
  createWriteStream,
  type ReadStreamOptions,
  type WriteStreamOptions,
} from './files/streams.js';
export { type ProbeReport, probe, probeSync, type Support } from './probe/probe.js';
export { AioEvent } from './requests/event.js';
export { type AioCommand, AioRequest, type RequestState } from './requests/request.js';
export {
  type BufferCommand,
  BufferRequest,
  FdsyncRequest,
  FsyncRequest,
  PollRequest,
  PositionedRequest,
  ReadRequest,
  ReadvRequest,
  type SyncCommand,
  SyncRequest,
  type VectorCommand,
  VectorRequest,
  WriteRequest,
  WritevRequest,
} from './requests/requests.js';
export type { FileLike, Priority, RequestOptions } from './validate.js';
