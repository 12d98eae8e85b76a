// @aio/core: Linux kernel AIO with Promise completions on Node's event loop. Re-exports only.
export { AioError, EFD, IOCB_CMD, IOPRIO_CLASS, POLL, RWF } from '@aio/bind';
export { alignDown, alignUp, allocAligned, isAlignedView, MAX_ALIGNMENT } from './aligned.js';
export {
  AioContext,
  type AioContextOptions,
  type AioContextStats,
  DEFAULT_MAX_REQUESTS,
  type RunOptions,
} from './context.js';
export { closeDefaultContext, defaultContext } from './default-context.js';
export { type DirectAlignment, DirectUnsupportedError, directAlignment } from './direct.js';
export { SUBMIT_BATCH_DEVICE, SUBMIT_BATCH_INLINE } from './engine.js';
export {
  AbortError,
  type AioCoreErrorCode,
  ContextClosedError,
  ReentrantCallError,
  RequestBusyError,
} from './errors.js';
export { AioEvent } from './event.js';
export {
  AioFile,
  type AioReadOptions,
  type AioReadOptionsWithBuffer,
  type AioWriteOptions,
  type OpenOptions,
  open,
  type ReadResult,
  type WriteResult,
} from './file.js';
export type { FileSource } from './file-source.js';
export {
  appendFile,
  type WriteFileData,
  type WriteFileOptions,
  writeFile,
} from './file-write.js';
export type { OpenFlags } from './flags.js';
export { type AlignedField, MisalignedError } from './misalign.js';
export { formatProbe, type ProbeReport, probe, probeCommand, type Support } from './probe.js';
export {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CONCURRENCY,
  type FileTransferOptions,
  type ReadFileOptions,
  readFile,
} from './read-write-file.js';
export { type AioCommand, AioRequest, type RequestState } from './request.js';
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
} from './requests.js';
export {
  AioReadStream,
  AioWriteStream,
  createReadStream,
  createWriteStream,
  type ReadStreamOptions,
  type WriteStreamOptions,
} from './streams.js';
export type { FileLike, Priority, RequestOptions } from './validate.js';
export type { Backend } from './waker.js';
