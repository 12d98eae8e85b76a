// A Readable of a file's bytes, shaped like fs.ReadStream (options, members, events, errors),
// with `concurrency` reads in flight ahead of the consumer (read-ahead). Backpressure is
// Node's: it stops issuing reads while push() says no. Chunks come in file order.
// (Over 250 lines: fs.ReadStream's option checks, members and event order are one contract.)
import type { PathLike } from 'node:fs';
import { addAbortSignal, finished, Readable } from 'node:stream';
import { OutOfRangeError, S_IF } from '@aio/bind';
import { validateInteger } from '@aio/bind/internal';
import { allocAligned } from '../aligned.js';
import type { AioFile } from './file.js';
import { MAX_RW_COUNT } from './file-args.js';
import { type FileCore, readAt } from './file-io.js';
import { parseOptions, type TransferExtras } from './file-options.js';
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

/** Options of createReadStream(): fs.createReadStream's, plus how the reads are done. */
export interface ReadStreamOptions extends TransferExtras {
  flags?: OpenFlags;
  encoding?: BufferEncoding | null;
  /** An fd, a FileHandle or an AioFile to read instead of opening the path. */
  fd?: number | AioFile | { readonly fd: number } | null;
  mode?: number | string;
  /** Close the file once done or destroyed (default true). */
  autoClose?: boolean;
  /** Emit 'close' after destroy (default true). */
  emitClose?: boolean;
  /** First byte to read (default: the file's position: 0 for a path). */
  start?: number;
  /** Last byte to read, inclusive (default: end of file). */
  end?: number;
  /** Bytes per read (default 64 KiB). */
  highWaterMark?: number;
  signal?: AbortSignal;
  /** Reads in flight at once (default 4; 1 for pipes and other files without positions). */
  concurrency?: number;
}

const KIB64 = 64 * 1024;

/** A Readable of a file's bytes read with kernel AIO, as fs.ReadStream. */
export class AioReadStream extends Readable {
  /** The path (undefined for a stream made from an fd, as in node:fs). */
  path: string | Buffer;
  /** The fd, null until open and after close. */
  fd: number | null;
  flags?: OpenFlags;
  mode?: unknown;
  start: number | undefined;
  end: number;
  /** Bytes delivered so far. */
  bytesRead = 0;
  readonly #target: StreamTarget;
  #opened: Opened | null = null;
  #core: FileCore | null = null;
  #concurrency: number;
  #chunk = KIB64;
  #next = 0;
  #stop = Number.POSITIVE_INFINITY;
  /** Completed reads not yet pushed, by position (they complete out of order). */
  readonly #ready = new Map<number, Buffer>();
  #pushed = 0;
  #inFlight = 0;
  #idle: Array<() => void> = [];
  #wanted = false;
  #done = false;
  #ended = false;

  constructor(path?: PathLike | null, options?: ReadStreamOptions | BufferEncoding | null) {
    const o = parseOptions(options);
    const target = streamTarget(path, o, 'r');
    const start = validateStart(o.start);
    let end = Number.POSITIVE_INFINITY;
    if (o.end !== undefined && o.end !== Number.POSITIVE_INFINITY) {
      validateInteger(o.end, 'end', 0, Number.MAX_SAFE_INTEGER);
      end = o.end;
      if (start !== undefined && start > end)
        throw new OutOfRangeError('start', `<= "end" (here: ${end})`, start);
    }
    const autoClose = o.autoClose !== false; // as node:fs: autoDestroy is only off for false
    const emitClose = o.emitClose === undefined ? true : o.emitClose !== false;
    const hwm = o.highWaterMark === undefined ? KIB64 : o.highWaterMark;
    // Readable checks highWaterMark and encoding as node:fs does (ERR_INVALID_ARG_VALUE).
    super({
      highWaterMark: hwm as number,
      encoding: (o.encoding ?? undefined) as BufferEncoding | undefined,
      emitClose,
      autoDestroy: autoClose,
    });
    this.#target = target;
    this.path = target.path as string | Buffer;
    this.fd = fdNumber(target.fd);
    if (target.path !== undefined) {
      this.flags = target.flags;
      this.mode = target.mode;
    }
    this.start = start;
    this.end = end;
    this.#concurrency = target.concurrency;
    this.#chunk = Math.min(this.readableHighWaterMark, MAX_RW_COUNT);
    followClose(this, target.fd);
    // After the fields exist: an aborted signal destroys the stream here and now.
    if (o.signal !== undefined) addAbortSignal(o.signal, this);
  }

  /** Whether the file is not open yet (fd null), as fs.ReadStream.pending. */
  get pending(): boolean {
    return this.fd === null;
  }

  /** Whether the file is closed once done or destroyed. */
  get autoClose(): boolean {
    return (this as unknown as { _readableState: { autoDestroy: boolean } })._readableState
      .autoDestroy;
  }

  set autoClose(value: boolean) {
    (this as unknown as { _readableState: { autoDestroy: boolean } })._readableState.autoDestroy =
      value;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    if (this.destroyed) {
      callback(); // destroyed before it opened (an aborted signal): nothing to open
      return;
    }
    openTarget(this.#target).then((opened) => {
      this.#opened = opened;
      const core = files().core(opened.file);
      this.#core = core;
      if (core.type !== S_IF.REG && core.type !== S_IF.BLK) this.#concurrency = 1;
      // Without start, node:fs reads from the file position; end counts from there.
      const from = this.start ?? files().pointer(opened.file);
      this.#next = from;
      this.#pushed = from;
      if (this.end !== Number.POSITIVE_INFINITY)
        this.#stop = (this.start === undefined ? from : 0) + this.end + 1;
      this.fd = opened.file.fd;
      callback();
      if (opened.fromPath) {
        this.emit('open', this.fd);
        this.emit('ready');
      }
    }, callback);
  }

  override _read(): void {
    this.#wanted = true;
    this.#fill();
  }

  #fill(): void {
    if (this.#chunk === 0) {
      this.#ended = true;
      this.push(null); // highWaterMark 0: node:fs reads nothing
      return;
    }
    while (
      this.#wanted &&
      !this.#done &&
      this.#inFlight < this.#concurrency &&
      this.#next < this.#stop
    ) {
      const position = this.#next;
      const length = Math.min(this.#chunk, this.#stop - position);
      this.#next += length;
      this.#issue(position, length);
    }
    if (this.#next >= this.#stop) this.#deliver();
  }

  #issue(position: number, length: number): void {
    const file = this.#opened!.file;
    const buffer = file.direct
      ? allocAligned(length, file.alignment!.memory)
      : Buffer.allocUnsafeSlow(length);
    this.#inFlight++;
    readAt(this.#core!, buffer, position).then(
      (n) => this.#completed(position, length, buffer, n),
      (error: Error) => {
        this.#settled();
        this.destroy(error);
      },
    );
  }

  #settled(): void {
    if (--this.#inFlight === 0) for (const wake of this.#idle.splice(0)) wake();
  }

  #completed(position: number, length: number, buffer: Buffer, n: number): void {
    this.#settled();
    if (this.destroyed) return;
    // A short read is continued from where it stopped; only 0 bytes means end of file.
    if (n === 0) this.#done = true;
    else if (n < length) this.#issue(position + n, length - n);
    // A part smaller than its buffer is copied, as node:fs does, so that it does not pin it.
    let part = buffer;
    if (n < buffer.length) {
      part = Buffer.allocUnsafeSlow(n);
      buffer.copy(part, 0, 0, n);
    }
    this.#ready.set(position, part);
    this.#deliver();
    this.#fill();
  }

  #deliver(): void {
    for (
      let part = this.#ready.get(this.#pushed);
      part !== undefined;
      part = this.#ready.get(this.#pushed)
    ) {
      this.#ready.delete(this.#pushed);
      if (part.length === 0) break; // end of file reached here
      this.#pushed += part.length;
      this.bytesRead += part.length;
      if (!this.push(part)) this.#wanted = false;
    }
    const finished =
      this.#pushed >= this.#stop ||
      (this.#done && !this.#ready.has(this.#pushed) && this.#inFlight === 0);
    if (finished && !this.#ended) {
      this.#done = true;
      this.#ended = true;
      // The caller's AioFile: its pointer moves past what was read, as the kernel's would.
      if (this.#opened?.own) files().pointer(this.#opened.file, this.#pushed);
      this.push(null);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#done = true;
    this.#ready.clear();
    const opened = this.#opened;
    if (opened === null) {
      callback(error);
      return;
    }
    // The reads still in flight finish first (their buffers stay referenced until then).
    const drained =
      this.#inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => this.#idle.push(r));
    drained
      .then(() => {
        this.fd = null;
        return opened.file.close();
      })
      .then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
  }

  /** Destroys the stream (closing the file); `callback` runs once it is closed, as fs.ReadStream.close. */
  close(callback?: (error?: NodeJS.ErrnoException | null) => void): void {
    if (typeof callback === 'function') finished(this, callback);
    this.destroy();
  }
}
