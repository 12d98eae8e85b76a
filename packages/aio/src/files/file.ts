// AioFile: a drop-in for fs.promises FileHandle whose reads, writes and syncs go through kernel
// AIO. Kernel AIO has no file pointer, so one is kept here, as node:fs keeps the kernel's for
// a FileHandle: a read or write without a position (null, -1, omitted) happens there and moves
// it. Methods without an AIO form (stat, chmod, utimes...) run node:fs on the same fd.
// With direct: true it is opened O_DIRECT and every method accepts any buffer, position and
// length (direct-io.ts).
// (Over 250 lines: FileHandle's 25 methods with their overloads and TSDoc; the work is in
// file-io.ts, file-args.ts, file-state.ts and node:fs.)
import { EventEmitter } from 'node:events';
import {
  type BigIntStats,
  constants,
  fchmod,
  fchown,
  fstat,
  futimes,
  type PathLike,
  type ReadOptions,
  type StatOptions,
  type Stats,
  type TimeLike,
} from 'node:fs';
import { type FileHandle, open as openHandle } from 'node:fs/promises';
import type { Interface } from 'node:readline';
import type { ReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { errnoException, InvalidArgTypeError } from '@aio/bind';
import { isView, validateInteger, viewByteLength } from '@aio/bind/internal';
import { AioContext } from '../context/context.js';
import { defaultContext } from '../context/default-context.js';
import type { DirectAlignment } from '../direct.js';
import { DirectUnsupportedError } from '../errors.js';
import { learnFileHandle } from '../file-handles.js';
import type { RequestOptions } from '../validate.js';
import {
  bytesOf,
  type Position,
  parsePosition,
  readArgs,
  vectorArgs,
  writeArgs,
  writeStringArgs,
} from './file-args.js';
import { readLinesOf, readStreamOf, webStreamOf } from './file-extras.js';
import { type FileCore, readAt, readvAt, writeAt, writevAt } from './file-io.js';
import { provideFilePort } from './file-port.js';
import { examine, type FileFacts, forget, sizeOf, truncateFd } from './file-setup.js';
import { FileState } from './file-state.js';
import { appendFile, type WriteFileData, type WriteFileOptions, writeFile } from './file-write.js';
import { type OpenFlags, parseFlags } from './flags.js';
import { type ReadFileOptions, readFile } from './read-write-file.js';
import type { AioReadStream, ReadStreamOptions } from './stream-read.js';
import { AioWriteStream, type WriteStreamOptions } from './stream-write.js';

/** Options of open(). */
export interface OpenOptions {
  /** Open with O_DIRECT and align every request for you. */
  direct?: boolean;
  /** Permissions of a created file, as fs.open's mode (default 0o666, before umask). */
  mode?: number | string;
  /** The context to run requests on (default: the process-wide one). */
  context?: AioContext;
}

/** FileHandle.read's options, plus the request options of @aio/core. */
export interface AioReadOptions extends ReadOptions, RequestOptions {}
/** FileHandle.read's options object with its buffer. */
export interface AioReadOptionsWithBuffer<T extends NodeJS.ArrayBufferView> extends AioReadOptions {
  buffer?: T;
}
/** FileHandle.write's options object, plus the request options of @aio/core. */
export interface AioWriteOptions extends RequestOptions {
  offset?: number | null;
  length?: number | null;
  position?: number | bigint | null;
}

/** What read() resolves, as FileHandle.read. */
export interface ReadResult<T> {
  bytesRead: number;
  buffer: T;
}
/** What write() resolves, as FileHandle.write. */
export interface WriteResult<T> {
  bytesWritten: number;
  buffer: T;
}

const EINVAL = 22;

function pathString(path: PathLike): string {
  if (path instanceof URL) return fileURLToPath(path);
  return typeof path === 'string' ? path : Buffer.from(path).toString();
}

function viaFd<T>(call: (done: (error: Error | null, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((e, v) => (e ? reject(e) : resolve(v as T))));
}

/** How an AioFile was made: its descriptor, and what closing it means. */
export interface FileBacking {
  readonly target: { readonly fd: number };
  readonly path: string;
  readonly close: () => Promise<void>;
  /** open(2) flags when known (else fcntl is asked). */
  readonly flags?: number;
  /** Where the file pointer starts. */
  readonly position?: number;
}

/** A file opened for kernel AIO, shaped like fs.promises FileHandle. Obtain one with `open()`. */
export class AioFile extends EventEmitter implements AsyncDisposable {
  /** The path it was opened with ('' for a file made from an fd). */
  readonly path: string;
  /** Whether it was opened O_DIRECT (requests are aligned for you). */
  readonly direct: boolean;
  /** Whether it was opened for appending: writes go to the end of file (RWF_APPEND). */
  readonly append: boolean;
  /** The O_DIRECT alignment in use, or null for a buffered file. */
  readonly alignment: DirectAlignment | null;
  /** The context its requests run on. */
  readonly context: AioContext;
  readonly #backing: FileBacking;
  readonly #facts: FileFacts;
  readonly #core: FileCore;
  readonly #state: FileState;

  static {
    provideFilePort({
      open: (path, flags, options) => AioFile.open(path, flags, options),
      on: (backing, context) => new AioFile(backing, context),
      is: (value): value is AioFile =>
        typeof value === 'object' && value !== null && #core in value,
      core: (file) => file.#core,
      pointer: (file, moveTo) => file.#state.pointer(moveTo),
      release: (file) => forget(file.#facts),
    });
  }

  private constructor(backing: FileBacking, context: AioContext) {
    super();
    const facts = examine(backing.target, context, backing.flags);
    this.path = backing.path;
    this.#backing = backing;
    this.#facts = facts;
    this.#core = { context, target: backing.target, ...facts };
    this.#state = new FileState(
      backing.position ?? 0,
      () => this.fd,
      () => sizeOf(this.fd),
    );
    this.direct = facts.direct !== null;
    this.append = facts.append;
    this.alignment = facts.direct?.alignment ?? null;
    this.context = context;
  }

  /**
   * Opens `path` (a string, Buffer or file: URL; flags as fs.open: 'r', 'r+', 'w', 'a'... or a
   * number; mode as fs.open's).
   * @throws (rejects) the fs error (ENOENT, EISDIR...), `ERR_INVALID_ARG_TYPE` /
   * `ERR_INVALID_ARG_VALUE` / `ERR_OUT_OF_RANGE` for bad arguments as fs.open;
   * {@link DirectUnsupportedError} `ERR_AIO_DIRECT_UNSUPPORTED` when direct and the
   * filesystem refuses O_DIRECT.
   */
  static async open(
    path: PathLike,
    flags?: OpenFlags,
    options: OpenOptions = {},
  ): Promise<AioFile> {
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgTypeError('options', 'of type object', options);
    const { direct: wantDirect, mode, context: given } = options;
    const direct = wantDirect === true;
    let numeric = parseFlags(flags);
    if (direct) numeric |= constants.O_DIRECT;
    if (given !== undefined && !(given instanceof AioContext))
      throw new InvalidArgTypeError('options.context', 'an instance of AioContext', given);
    const context = given ?? defaultContext();
    let handle: FileHandle;
    try {
      handle = await openHandle(path, numeric, mode);
      learnFileHandle(handle); // a genuine one: the engine can hold FileHandles from now on
    } catch (error) {
      if (direct && (error as NodeJS.ErrnoException).code === 'EINVAL')
        throw new DirectUnsupportedError(pathString(path), error);
      throw error;
    }
    try {
      const close = () => handle.close();
      return new AioFile(
        { target: handle, path: pathString(path), close, flags: numeric },
        context,
      );
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The file descriptor (-1 once closed). */
  get fd(): number {
    return this.#backing.target.fd;
  }

  #read(bytes: Uint8Array, position: Position, options?: RequestOptions): Promise<number> {
    if (position !== null) return readAt(this.#core, bytes, position, options);
    return this.#state.atPointer(bytes.byteLength, (at) => readAt(this.#core, bytes, at, options));
  }

  #write(bytes: Uint8Array, position: Position, options?: RequestOptions): Promise<number> {
    if (this.append) {
      // O_APPEND: the kernel writes at the end whatever the position; write(2) (no position)
      // then leaves the pointer at the end, pwrite(2) does not move it.
      if (position === null) this.#state.appended();
      return writeAt(this.#core, bytes, 0, options);
    }
    if (position !== null) return writeAt(this.#core, bytes, position, options);
    return this.#state.atPointer(bytes.byteLength, (at) => writeAt(this.#core, bytes, at, options));
  }

  /**
   * Reads into `buffer` as FileHandle.read: `(buffer, offset = 0, length = rest, position)`,
   * `(buffer, { offset, length, position, signal? })` or `({ buffer = 16 KiB, ... })`. Without
   * a position (null, -1, omitted) it reads at the file pointer and moves it. Resolves
   * `{ bytesRead, buffer }` (fewer bytes only at end of file).
   * @throws (rejects) `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE` (empty buffer),
   * `ERR_OUT_OF_RANGE` (offset, length beyond the buffer or 2 ** 31 - 1, position), `EBADF`
   * when closed, `EISDIR` for a directory, AioError codes, `ABORT_ERR`.
   */
  read<T extends NodeJS.ArrayBufferView>(
    buffer: T,
    offset?: number | null,
    length?: number | null,
    position?: number | bigint | null,
  ): Promise<ReadResult<T>>;
  read<T extends NodeJS.ArrayBufferView>(
    buffer: T,
    options?: AioReadOptions,
  ): Promise<ReadResult<T>>;
  read<T extends NodeJS.ArrayBufferView = Buffer>(
    options?: AioReadOptionsWithBuffer<T>,
  ): Promise<ReadResult<T>>;
  async read(a?: unknown, b?: unknown, c?: unknown, d?: unknown): Promise<ReadResult<unknown>> {
    this.#state.assertOpen('read');
    const span = readArgs(a, b, c, d);
    const bytesRead =
      span.bytes.byteLength === 0
        ? 0
        : await this.#state.run('read', () => this.#read(span.bytes, span.position, span.options));
    return { __proto__: null, bytesRead, buffer: span.buffer } as unknown as ReadResult<unknown>;
  }

  /**
   * Writes as FileHandle.write: `(buffer, offset = 0, length = rest, position)`, `(buffer,
   * { offset, length, position, signal? })` or `(string, position, encoding = 'utf8')`. Without
   * a position it writes at the file pointer and moves it; in append mode the data goes to the
   * end of file. Short writes are continued: resolves `{ bytesWritten, buffer }` with all of it.
   * @throws (rejects) `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`,
   * `EBADF` when closed, AioError codes (`ENOSPC`...), `ERR_AIO_MISALIGNED` (direct append),
   * `ABORT_ERR`.
   */
  write<T extends NodeJS.ArrayBufferView>(
    buffer: T,
    offset?: number | null,
    length?: number | null,
    position?: number | bigint | null,
  ): Promise<WriteResult<T>>;
  write<T extends NodeJS.ArrayBufferView>(
    buffer: T,
    options?: AioWriteOptions,
  ): Promise<WriteResult<T>>;
  write(
    data: string,
    position?: number | bigint | null,
    encoding?: BufferEncoding | null,
  ): Promise<WriteResult<string>>;
  async write(data: unknown, b?: unknown, c?: unknown, d?: unknown): Promise<WriteResult<unknown>> {
    this.#state.assertOpen('write');
    let span: { buffer: unknown; bytes: Uint8Array; position: Position; options?: RequestOptions };
    if (typeof data === 'string') span = writeStringArgs(data, b, c);
    else if (!isView(data)) {
      throw new InvalidArgTypeError(
        'buffer',
        'of type string or an instance of Buffer, TypedArray, or DataView',
        data,
      );
    } else if (viewByteLength(data) === 0) {
      return { __proto__: null, bytesWritten: 0, buffer: data } as unknown as WriteResult<unknown>;
    } else span = writeArgs(data, b, c, d);
    const bytesWritten =
      span.bytes.byteLength === 0
        ? 0
        : await this.#state.run('write', () =>
            this.#write(span.bytes, span.position, span.options),
          );
    return {
      __proto__: null,
      bytesWritten,
      buffer: span.buffer,
    } as unknown as WriteResult<unknown>;
  }

  /**
   * Reads into `buffers` in order, as FileHandle.readv (at the file pointer without a
   * position). Resolves `{ bytesRead, buffers }`. Any number of buffers of any total size.
   * @throws (rejects) `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`,
   * `EBADF`, `EISDIR`, AioError codes, `ABORT_ERR`.
   */
  async readv<T extends readonly NodeJS.ArrayBufferView[]>(
    buffers: T,
    position?: number | bigint | null,
    options?: RequestOptions,
  ): Promise<{ bytesRead: number; buffers: T }> {
    this.#state.assertOpen('read');
    const views = vectorArgs(buffers).map((b, i) => bytesOf(b, 0, undefined, `buffers[${i}]`));
    const at = parsePosition(position);
    let total = 0;
    for (const view of views) total += view.byteLength;
    // As node:fs (libuv refuses a read of no buffers).
    if (views.length === 0) throw errnoException(EINVAL, 'read', { fd: this.fd });
    const run =
      at === null
        ? () => this.#state.atPointer(total, (p) => readvAt(this.#core, views, total, p, options))
        : () => readvAt(this.#core, views, total, at, options);
    const bytesRead = total === 0 ? 0 : await this.#state.run('read', run);
    return { __proto__: null, bytesRead, buffers } as unknown as { bytesRead: number; buffers: T };
  }

  /**
   * Writes `buffers` in order, as FileHandle.writev (at the file pointer without a position,
   * at the end of file in append mode). Resolves `{ bytesWritten, buffers }` with all of it.
   * @throws (rejects) as write().
   */
  async writev<T extends readonly NodeJS.ArrayBufferView[]>(
    buffers: T,
    position?: number | bigint | null,
    options?: RequestOptions,
  ): Promise<{ bytesWritten: number; buffers: T }> {
    this.#state.assertOpen('write');
    const views = vectorArgs(buffers).map((b, i) => bytesOf(b, 0, undefined, `buffers[${i}]`));
    const at = parsePosition(position);
    let total = 0;
    for (const view of views) total += view.byteLength;
    const core = this.#core;
    let run: () => Promise<number>;
    if (this.append) {
      if (at === null) this.#state.appended();
      run = () => writevAt(core, views, total, 0, options);
    } else if (at === null) {
      run = () => this.#state.atPointer(total, (p) => writevAt(core, views, total, p, options));
    } else run = () => writevAt(core, views, total, at, options);
    const bytesWritten = total === 0 ? 0 : await this.#state.run('write', run);
    return { __proto__: null, bytesWritten, buffers } as unknown as {
      bytesWritten: number;
      buffers: T;
    };
  }

  /** fsync through kernel AIO: data and metadata reach the device. */
  async sync(options?: RequestOptions): Promise<void> {
    await this.#state.run('fsync', () => this.context.fsync(this.#core.target, options));
  }

  /** fdatasync through kernel AIO: data, and the metadata needed to read it, reach the device. */
  async datasync(options?: RequestOptions): Promise<void> {
    await this.#state.run('fdatasync', () => this.context.fdatasync(this.#core.target, options));
  }

  /** fs.Stats (BigIntStats with `{ bigint: true }`) of the file, by fstat on its fd. */
  stat(opts?: StatOptions & { bigint?: false }): Promise<Stats>;
  stat(opts: StatOptions & { bigint: true }): Promise<BigIntStats>;
  stat(opts?: StatOptions): Promise<Stats | BigIntStats>;
  async stat(opts?: StatOptions): Promise<Stats | BigIntStats> {
    const bigint = opts?.bigint === true;
    return this.#state.run('fstat', () =>
      viaFd<Stats | BigIntStats>((done) => fstat(this.fd, { bigint }, done)),
    );
  }

  /** The file size in bytes. */
  async size(): Promise<number> {
    return this.#state.run('fstat', () => sizeOf(this.fd));
  }

  /**
   * Truncates (or extends with zeros) to `len` bytes, as FileHandle.truncate (a negative `len`
   * is 0). @throws (rejects) `ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`, fs errors.
   */
  async truncate(len = 0): Promise<void> {
    validateInteger(len, 'len', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    await this.#state.run('ftruncate', () => truncateFd(this.fd, Math.max(0, len)));
  }

  /** fchmod, as FileHandle.chmod. @throws (rejects) as fs.fchmod. */
  async chmod(mode: string | number): Promise<void> {
    await this.#state.run('fchmod', () => viaFd<void>((done) => fchmod(this.fd, mode, done)));
  }

  /** fchown, as FileHandle.chown. @throws (rejects) as fs.fchown. */
  async chown(uid: number, gid: number): Promise<void> {
    await this.#state.run('fchown', () => viaFd<void>((done) => fchown(this.fd, uid, gid, done)));
  }

  /** futimes, as FileHandle.utimes. @throws (rejects) as fs.futimes. */
  async utimes(atime: TimeLike, mtime: TimeLike): Promise<void> {
    await this.#state.run('futimes', () =>
      viaFd<void>((done) => futimes(this.fd, atime, mtime, done)),
    );
  }

  /**
   * The rest of the file from the file pointer, as FileHandle.readFile (a string with an
   * encoding); the pointer moves to the end. @throws (rejects) as {@link readFile}.
   */
  readFile(
    options?: ({ encoding?: null } & Omit<ReadFileOptions, 'encoding'>) | null,
  ): Promise<Buffer<ArrayBuffer>>;
  readFile(
    options: ({ encoding: BufferEncoding } & ReadFileOptions) | BufferEncoding,
  ): Promise<string>;
  readFile(
    options?: ReadFileOptions | BufferEncoding | null,
  ): Promise<string | Buffer<ArrayBuffer>>;
  readFile(
    options?: ReadFileOptions | BufferEncoding | null,
  ): Promise<string | Buffer<ArrayBuffer>> {
    return readFile(this, options);
  }

  /**
   * Writes `data` from the file pointer (at the end in append mode), as FileHandle.writeFile;
   * the pointer moves past it. @throws (rejects) as {@link writeFile}.
   */
  writeFile(
    data: WriteFileData,
    options?: WriteFileOptions | BufferEncoding | null,
  ): Promise<void> {
    return writeFile(this, data, options);
  }

  /** As FileHandle.appendFile: writeFile on this file (at the pointer, unless opened to append). */
  appendFile(
    data: WriteFileData,
    options?: WriteFileOptions | BufferEncoding | null,
  ): Promise<void> {
    return appendFile(this, data, options);
  }

  /** A read stream of this file (from the pointer unless `start`), as FileHandle.createReadStream. */
  createReadStream(options?: Omit<ReadStreamOptions, 'fd'>): AioReadStream {
    return readStreamOf(this, options);
  }

  /** A write stream to this file (from the pointer unless `start`), as FileHandle.createWriteStream. */
  createWriteStream(options?: Omit<WriteStreamOptions, 'fd'>): AioWriteStream {
    return new AioWriteStream(undefined, { ...options, fd: this });
  }

  /** The lines of the file, as FileHandle.readLines (readline over createReadStream). */
  readLines(options?: Omit<ReadStreamOptions, 'fd'>): Interface {
    return readLinesOf(this, options);
  }

  /**
   * A byte ReadableStream of the file from its pointer, as FileHandle.readableWebStream.
   * @throws `ERR_INVALID_STATE` when closed or already locked to a stream.
   */
  readableWebStream(options?: { type?: 'bytes' }): ReadableStream {
    return webStreamOf(this, options);
  }

  /** Waits for this file's pending requests, then closes it; emits 'close' as FileHandle. Idempotent. */
  close(): Promise<void> {
    const { promise, first } = this.#state.close(async () => {
      forget(this.#facts);
      await this.#backing.close();
    });
    if (first) this.emit('close');
    return promise;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Opens a file for kernel AIO (flags as fs.open; `direct` for O_DIRECT with automatic
 * alignment). Requests run on `options.context` or the process-wide default context.
 * @throws (rejects) as {@link AioFile.open}.
 */
export function open(path: PathLike, flags?: OpenFlags, options?: OpenOptions): Promise<AioFile> {
  return AioFile.open(path, flags, options);
}
