// AioFile: a file opened for kernel AIO, with fs.promises-like methods. With direct: true it
// is opened O_DIRECT and every method accepts any buffer, position and length (direct-io.ts).
import type { Stats } from 'node:fs';
import { constants, type PathLike } from 'node:fs';
import { type FileHandle, open as openHandle } from 'node:fs/promises';
import { errnoException, InvalidArgTypeError, RWF, validateInteger, validateView } from '@aio/bind';
import type { AioContext } from './context.js';
import { defaultContext } from './default-context.js';
import { type DirectAlignment, DirectUnsupportedError, directAlignmentSync } from './direct.js';
import { type DirectFile, directRead, directWrite, writeFully } from './direct-io.js';
import { accessOf, type OpenFlags, parseFlags } from './flags.js';
import { WriteLock } from './lock.js';
import { MisalignedError } from './misalign.js';
import { type RequestOptions, validateBuffers, validatePosition } from './validate.js';

/** Options of open(). */
export interface OpenOptions {
  /** Open with O_DIRECT and align every request for you. */
  direct?: boolean;
  /** Permissions of a created file (default 0o666, before umask). */
  mode?: number;
  /** The context to run requests on (default: the process-wide one). */
  context?: AioContext;
}

const EBADF = 9;

function toNumberPosition(position: number | bigint, name = 'position'): number {
  validatePosition(position, name);
  const n = Number(position);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${name} is beyond 2^53 for an O_DIRECT file`);
  return n;
}

/** A file opened for kernel AIO. Obtain one with `open()`. */
export class AioFile implements AsyncDisposable {
  /** The path it was opened with. */
  readonly path: string;
  /** Whether it was opened O_DIRECT (requests are aligned for you). */
  readonly direct: boolean;
  /** Whether it was opened for appending: writes go to the end of file (RWF_APPEND). */
  readonly append: boolean;
  /** The O_DIRECT alignment in use, or null for a buffered file. */
  readonly alignment: DirectAlignment | null;
  /** The context its requests run on. */
  readonly context: AioContext;
  readonly #handle: FileHandle;
  readonly #lock = new WriteLock();
  #pending = 0;
  #idle: Array<() => void> = [];
  #closing: Promise<void> | null = null;

  private constructor(
    path: string,
    handle: FileHandle,
    flags: number,
    alignment: DirectAlignment | null,
    context: AioContext,
  ) {
    this.path = path;
    this.#handle = handle;
    this.direct = alignment !== null;
    this.append = accessOf(flags).append;
    this.alignment = alignment;
    this.context = context;
  }

  /**
   * Opens `path` (flags as fs.open: 'r', 'r+', 'w', 'a'... or a number).
   * @throws (rejects) the fs error (ENOENT...); {@link DirectUnsupportedError}
   * `ERR_AIO_DIRECT_UNSUPPORTED` when direct and the filesystem refuses O_DIRECT.
   */
  static async open(
    path: PathLike,
    flags?: OpenFlags,
    options: OpenOptions = {},
  ): Promise<AioFile> {
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgTypeError('options', 'of type object', options);
    const direct = options.direct === true;
    let numeric = parseFlags(flags);
    if (direct) numeric |= constants.O_DIRECT;
    if (options.mode !== undefined) validateInteger(options.mode, 'options.mode', 0, 0o7777);
    const context = options.context ?? defaultContext();
    let handle: FileHandle;
    try {
      handle = await openHandle(path, numeric, options.mode ?? 0o666);
    } catch (error) {
      if (direct && (error as NodeJS.ErrnoException).code === 'EINVAL')
        throw new DirectUnsupportedError(String(path), error);
      throw error;
    }
    try {
      const alignment = direct ? directAlignmentSync(handle) : null;
      return new AioFile(String(path), handle, numeric, alignment, context);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** The file descriptor (-1 once closed). */
  get fd(): number {
    return this.#handle.fd;
  }

  async #track<T>(run: () => Promise<T>): Promise<T> {
    if (this.#closing !== null) throw errnoException(EBADF, 'io_submit', { fd: this.#handle.fd });
    this.#pending++;
    try {
      return await run();
    } finally {
      if (--this.#pending === 0) for (const wake of this.#idle.splice(0)) wake();
    }
  }

  get #directFile(): DirectFile {
    return {
      context: this.context,
      handle: this.#handle,
      alignment: this.alignment!,
      lock: this.#lock,
    };
  }

  /** Reads `buffer.byteLength` bytes at `position`; resolves the bytes read (fewer at end of file). */
  read(
    buffer: ArrayBufferView,
    position: number | bigint,
    options?: RequestOptions,
  ): Promise<number> {
    return this.#track(() => {
      if (!this.direct) return this.context.read(this.#handle, buffer, position, options);
      validateView(buffer, 'buffer');
      return directRead(this.#directFile, buffer, toNumberPosition(position), options);
    });
  }

  /**
   * Writes all of `buffer` at `position` (ignored, and optional, in append mode: the data goes
   * to the end of file). Resolves the bytes written; short writes are continued.
   */
  write(
    buffer: ArrayBufferView,
    position?: number | bigint,
    options?: RequestOptions,
  ): Promise<number> {
    return this.#track(async () => {
      validateView(buffer, 'buffer');
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      if (this.append) return this.#append(bytes, options);
      if (!this.direct) {
        validatePosition(position);
        return writeFully(this.context, this.#handle, bytes, Number(position), options);
      }
      return directWrite(this.#directFile, bytes, toNumberPosition(position!), options);
    });
  }

  async #append(bytes: Uint8Array, options?: RequestOptions): Promise<number> {
    const flags = { ...options, rwFlags: (options?.rwFlags ?? 0) | RWF.APPEND };
    if (this.direct) {
      // The end of file is the position: it must be aligned, and so must the data.
      const a = this.alignment!;
      const size = (await this.#handle.stat()).size;
      const fd = this.#handle.fd;
      if (size % a.offset !== 0)
        throw new MisalignedError('position', size, a.offset, { syscall: 'IOCB_CMD_PWRITE', fd });
      if (bytes.byteLength % a.offset !== 0) {
        throw new MisalignedError('length', bytes.byteLength, a.offset, {
          syscall: 'IOCB_CMD_PWRITE',
          fd,
        });
      }
      return this.#lock.shared(() => this.context.write(this.#handle, bytes, 0, flags));
    }
    // One request: with O_APPEND the kernel places it at the end atomically.
    return this.context.write(this.#handle, bytes, 0, flags);
  }

  /** Reads into `buffers` in order from `position`; resolves the bytes read. */
  readv(
    buffers: readonly ArrayBufferView[],
    position: number | bigint,
    options?: RequestOptions,
  ): Promise<number> {
    return this.#track(async () => {
      if (!this.direct) return this.context.readv(this.#handle, buffers, position, options);
      validateBuffers(buffers);
      const total = buffers.reduce((sum, b) => sum + b.byteLength, 0);
      const joined = Buffer.alloc(total);
      const got = await directRead(this.#directFile, joined, toNumberPosition(position), options);
      let at = 0;
      for (const b of buffers) {
        if (at >= got) break;
        const n = Math.min(b.byteLength, got - at); // 0 for an empty buffer: skip it, go on
        new Uint8Array(b.buffer, b.byteOffset, n).set(joined.subarray(at, at + n));
        at += n;
      }
      return got;
    });
  }

  /** Writes `buffers` in order at `position` (optional in append mode); resolves the bytes written. */
  writev(
    buffers: readonly ArrayBufferView[],
    position?: number | bigint,
    options?: RequestOptions,
  ): Promise<number> {
    return this.#track(async () => {
      validateBuffers(buffers);
      if (!this.direct && !this.append) {
        validatePosition(position);
        return this.context.writev(this.#handle, buffers, position, options);
      }
      const joined = Buffer.concat(
        buffers.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
      );
      if (this.append) return this.#append(joined, options);
      return directWrite(this.#directFile, joined, toNumberPosition(position!), options);
    });
  }

  /** fsync: data and metadata reach the device. */
  sync(options?: RequestOptions): Promise<void> {
    return this.#track(() => this.context.fsync(this.#handle, options));
  }

  /** fdatasync: data, and the metadata needed to read it, reach the device. */
  datasync(options?: RequestOptions): Promise<void> {
    return this.#track(() => this.context.fdatasync(this.#handle, options));
  }

  /** fs.Stats of the file. */
  stat(): Promise<Stats> {
    return this.#track(() => this.#handle.stat());
  }

  /** The file size in bytes. */
  async size(): Promise<number> {
    return (await this.stat()).size;
  }

  /** Truncates (or extends with zeros) to `length` bytes. */
  truncate(length = 0): Promise<void> {
    return this.#track(() => this.#handle.truncate(length));
  }

  /** Waits for this file's pending requests, then closes it. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#pending > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
      await this.#handle.close();
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Opens a file for kernel AIO (flags as fs.open; `direct` for O_DIRECT with automatic
 * alignment). Requests run on `options.context` or the process-wide default context.
 */
export function open(path: PathLike, flags?: OpenFlags, options?: OpenOptions): Promise<AioFile> {
  return AioFile.open(path, flags, options);
}
