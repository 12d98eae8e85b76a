// A Writable shaped like fs.WriteStream (options, members, events, errors) that writes with
// kernel AIO, `concurrency` requests behind the producer (write-behind): the producer's
// callback is held while that many writes are in flight.
// (Over 250 lines: fs.WriteStream's option checks, members and event order are one contract.)
import type { PathLike } from 'node:fs';
import { addAbortSignal, Writable } from 'node:stream';
import { InvalidArgValueError } from '@aio/bind';
import { alignUp, allocAligned } from '../aligned.js';
import type { AioFile } from './file.js';
import { bytesOf } from './file-args.js';
import { type FileCore, writeAt } from './file-io.js';
import { booleanOption, parseOptions, type TransferExtras } from './file-options.js';
import { files } from './file-port.js';
import type { OpenFlags } from './flags.js';
import {
  fdNumber,
  followClose,
  type Opened,
  openTarget,
  type StreamTarget,
  streamTarget,
  validateStart,
} from './stream-open.js';

/** Options of createWriteStream(): fs.createWriteStream's, plus how the writes are done. */
export interface WriteStreamOptions extends TransferExtras {
  /** 'w' (default), 'wx', 'r+', 'a'... ('a' is buffered only). */
  flags?: OpenFlags;
  /** The default encoding of string chunks (default 'utf8'). */
  encoding?: BufferEncoding | null;
  /** An fd, a FileHandle or an AioFile to write instead of opening the path. */
  fd?: number | AioFile | { readonly fd: number } | null;
  mode?: number | string;
  autoClose?: boolean;
  emitClose?: boolean;
  /** fsync before the file is closed (default false). */
  flush?: boolean;
  /** Where the first byte goes (default: the file's position: 0 for a path). */
  start?: number;
  /** write() returns false past this many buffered bytes (default 16 KiB, as node:fs). */
  highWaterMark?: number;
  signal?: AbortSignal;
  /** Writes in flight at once (default 4). */
  concurrency?: number;
}

const STAGING = 64 * 1024;

/** A Writable to a file through kernel AIO, as fs.WriteStream. */
export class AioWriteStream extends Writable {
  /** The path (undefined for a stream made from an fd, as in node:fs). */
  path: string | Buffer;
  fd: number | null;
  flags?: OpenFlags;
  mode?: unknown;
  start: number | undefined;
  /** Whether the file is fsynced before it is closed. */
  flush: boolean;
  /** Bytes the kernel has written so far. */
  bytesWritten = 0;
  readonly #target: StreamTarget;
  #opened: Opened | null = null;
  #core: FileCore | null = null;
  #position = 0;
  #inFlight = 0;
  #waiting: ((error?: Error | null) => void) | null = null;
  #idle: Array<() => void> = [];
  #failure: Error | null = null;
  /** O_DIRECT: bytes gathered into whole blocks before they are written. */
  #staging: Buffer | null = null;
  #staged = 0;

  constructor(path?: PathLike | null, options?: WriteStreamOptions | BufferEncoding | null) {
    const o = parseOptions(options);
    const target = streamTarget(path, o, 'w');
    const start = validateStart(o.start);
    const flush = booleanOption(o.flush, 'options.flush', false);
    if (o.direct && typeof target.flags === 'string' && target.flags.includes('a'))
      throw new InvalidArgValueError('options.flags', target.flags, 'cannot append with direct');
    const autoClose = o.autoClose !== false; // as node:fs: autoDestroy is only off for false
    const emitClose = o.emitClose === undefined ? true : o.emitClose !== false;
    super({
      ...(o.highWaterMark === undefined ? {} : { highWaterMark: o.highWaterMark as number }),
      decodeStrings: true,
      emitClose,
      autoDestroy: autoClose,
    });
    if (o.encoding) this.setDefaultEncoding(o.encoding as BufferEncoding);
    this.#target = target;
    this.path = target.path as string | Buffer;
    this.fd = fdNumber(target.fd);
    if (target.path !== undefined) {
      this.flags = target.flags;
      this.mode = target.mode;
    }
    this.start = start;
    this.flush = flush;
    followClose(this, target.fd);
    if (o.signal !== undefined) addAbortSignal(o.signal, this);
  }

  /** Whether the file is not open yet (fd null), as fs.WriteStream.pending. */
  get pending(): boolean {
    return this.fd === null;
  }

  get autoClose(): boolean {
    return (this as unknown as { _writableState: { autoDestroy: boolean } })._writableState
      .autoDestroy;
  }

  set autoClose(value: boolean) {
    (this as unknown as { _writableState: { autoDestroy: boolean } })._writableState.autoDestroy =
      value;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    if (this.destroyed) {
      callback();
      return;
    }
    openTarget(this.#target).then((opened) => {
      this.#opened = opened;
      this.#core = files().core(opened.file);
      this.#position = this.start ?? files().pointer(opened.file);
      this.fd = opened.file.fd;
      callback();
      if (opened.fromPath) {
        this.emit('open', this.fd);
        this.emit('ready');
      }
    }, callback);
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    if (this.#failure) {
      callback(this.#failure);
      return;
    }
    const file = this.#opened!.file;
    const bytes = bytesOf(chunk, 0, undefined, 'chunk');
    if (!file.direct) {
      // Called back before the kernel is done: keep a copy, the producer may reuse its buffer.
      const copy = Buffer.allocUnsafe(bytes.byteLength);
      copy.set(bytes);
      this.#send(copy);
      this.#afterWrite(callback);
      return;
    }
    let at = 0;
    while (at < bytes.byteLength) {
      this.#staging ??= allocAligned(this.#blockSize(file), file.alignment!.memory);
      const n = Math.min(bytes.byteLength - at, this.#staging.length - this.#staged);
      this.#staging.set(bytes.subarray(at, at + n), this.#staged);
      this.#staged += n;
      at += n;
      if (this.#staged === this.#staging.length) this.#flushStaging();
    }
    this.#afterWrite(callback);
  }

  #blockSize(file: AioFile): number {
    const a = file.alignment!;
    return alignUp(Math.max(this.writableHighWaterMark, STAGING), Math.max(a.memory, a.offset));
  }

  #flushStaging(): void {
    const data = this.#staging!.subarray(0, this.#staged);
    this.#staging = null;
    this.#staged = 0;
    this.#send(data);
  }

  #send(data: Buffer): void {
    const position = this.#position;
    this.#position += data.length;
    this.#inFlight++;
    writeAt(this.#core!, data, position).then(
      (n) => {
        this.bytesWritten += n;
        this.#settled(null);
      },
      (error: Error) => this.#settled(error),
    );
  }

  #afterWrite(callback: (error?: Error | null) => void): void {
    if (this.#inFlight < this.#target.concurrency) callback();
    else this.#waiting = callback;
  }

  #settled(error: Error | null): void {
    this.#inFlight--;
    if (error !== null) this.#failure ??= error;
    const waiting = this.#waiting;
    this.#waiting = null;
    if (waiting !== null) waiting(this.#failure);
    else if (error !== null && !this.destroyed) this.destroy(error);
    if (this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  #drained(): Promise<void> {
    return this.#inFlight === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.#idle.push(resolve));
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The last partial block of a direct stream: AioFile aligns it (read-modify-write).
    if (this.#staged > 0) this.#flushStaging();
    this.#drained().then(() => {
      const opened = this.#opened;
      if (opened?.own && !opened.file.append) files().pointer(opened.file, this.#position);
      callback(this.#failure);
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const opened = this.#opened;
    this.#drained()
      .then(async () => {
        if (opened === null) return;
        if (this.flush) await opened.file.sync();
        this.fd = null;
        await opened.file.close();
      })
      .then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
  }

  /** Ends the stream and closes the file; `callback` runs on 'close', as fs.WriteStream.close. */
  close(callback?: (error?: NodeJS.ErrnoException | null) => void): void {
    if (callback) {
      if (this.closed) {
        process.nextTick(callback);
        return;
      }
      this.on('close', callback);
    }
    if (!this.autoClose) this.on('finish', this.destroy);
    this.end();
  }

  /** As fs.WriteStream.destroySoon: end(). */
  destroySoon(): this {
    return this.end();
  }
}
