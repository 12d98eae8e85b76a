// Node streams over kernel AIO: a Readable with several reads in flight ahead of the consumer
// (read-ahead), and a Writable with several writes in flight behind the producer
// (write-behind). Backpressure is Node's: the readable stops issuing reads while push() says
// no; the writable holds the producer's callback while `concurrency` writes are in flight.
import type { PathLike } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { InvalidArgTypeError, InvalidArgValueError, validateInteger } from '@aio/bind';
import { alignUp, allocAligned } from './aligned.js';
import type { AioContext } from './context.js';
import { type AioFile, open } from './file.js';
import type { OpenFlags } from './flags.js';
import { validateSignal } from './validate.js';

interface StreamCommon {
  /** Bytes per request (default 64 KiB). */
  highWaterMark?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Use O_DIRECT (alignment handled for you). */
  direct?: boolean;
  /** The context to run on (default: the process-wide one). */
  context?: AioContext;
  /** Destroys the stream when aborted. */
  signal?: AbortSignal;
}

/** Options of createReadStream(). */
export interface ReadStreamOptions extends StreamCommon {
  /** First byte to read (default 0). */
  start?: number;
  /** Last byte to read, inclusive (default: end of file). */
  end?: number;
}

/** Options of createWriteStream(). */
export interface WriteStreamOptions extends StreamCommon {
  /** 'w' (default), 'wx', 'r+', 'a'... ('a' is buffered only). */
  flags?: OpenFlags;
  /** Where the first byte goes (default 0). */
  start?: number;
  /** Permissions of a created file. */
  mode?: number;
}

const KIB64 = 64 * 1024;

/** _construct's end: keep the file, then, as fs streams do, emit 'open' with the fd and 'ready'. */
function announceOpen(
  stream: Readable | Writable,
  opening: Promise<AioFile>,
  callback: (error?: Error | null) => void,
  keep: (file: AioFile) => void,
): void {
  opening.then(
    (file) => {
      keep(file);
      callback();
      stream.emit('open', file.fd);
      stream.emit('ready');
    },
    (error: Error) => callback(error),
  );
}

function common(options: unknown): { chunk: number; concurrency: number } & StreamCommon {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgTypeError('options', 'of type object', options);
  const o = options as StreamCommon;
  const chunk = o.highWaterMark ?? KIB64;
  const concurrency = o.concurrency ?? 4;
  validateInteger(chunk, 'options.highWaterMark', 1, 1 << 30);
  validateInteger(concurrency, 'options.concurrency', 1, 1024);
  if (o.signal !== undefined) validateSignal(o.signal);
  return { ...o, chunk, concurrency };
}

/** A Readable of a file's bytes, read with kernel AIO, `concurrency` requests ahead. */
export class AioReadStream extends Readable {
  readonly path: string;
  /** Bytes delivered so far. */
  bytesRead = 0;
  #file: AioFile | null = null;
  readonly #options: ReturnType<typeof common>;
  #next: number;
  readonly #end: number;
  /** Completed reads not yet pushed, by position (they complete out of order). */
  readonly #ready = new Map<number, Buffer>();
  #pushed: number;
  #inFlight = 0;
  #wanted = false;
  #done = false;

  constructor(path: PathLike, options: ReadStreamOptions = {}) {
    const o = common(options);
    const start = options.start ?? 0;
    const end = options.end ?? Number.POSITIVE_INFINITY;
    validateInteger(start, 'options.start', 0, Number.MAX_SAFE_INTEGER);
    if (end !== Number.POSITIVE_INFINITY)
      validateInteger(end, 'options.end', 0, Number.MAX_SAFE_INTEGER);
    super({ highWaterMark: o.chunk, ...(o.signal ? { signal: o.signal } : {}) });
    this.path = String(path);
    this.#options = o;
    this.#next = start;
    this.#pushed = start;
    this.#end = end === Number.POSITIVE_INFINITY ? end : end + 1;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    const { direct, context } = this.#options;
    const opening = open(this.path, 'r', {
      direct: direct === true,
      ...(context ? { context } : {}),
    });
    announceOpen(this, opening, callback, (file) => {
      this.#file = file;
    });
  }

  override _read(): void {
    this.#wanted = true;
    this.#fill();
  }

  #fill(): void {
    const o = this.#options;
    while (
      this.#wanted &&
      !this.#done &&
      this.#inFlight < o.concurrency &&
      this.#next < this.#end
    ) {
      const position = this.#next;
      const length = Math.min(o.chunk, this.#end - position);
      this.#next += length;
      this.#issue(position, length);
    }
  }

  #issue(position: number, length: number): void {
    const file = this.#file!;
    const buffer = file.direct
      ? allocAligned(length, file.alignment!.memory)
      : Buffer.allocUnsafe(length);
    this.#inFlight++;
    file.read(buffer, position).then(
      (n) => this.#completed(position, length, buffer, n),
      (error: Error) => {
        this.#inFlight--;
        this.destroy(error);
      },
    );
  }

  #completed(position: number, length: number, buffer: Buffer, n: number): void {
    this.#inFlight--;
    if (this.destroyed) return;
    // A short read is continued from where it stopped; only 0 bytes means end of file.
    if (n === 0) this.#done = true;
    else if (n < length) this.#issue(position + n, length - n);
    this.#ready.set(position, buffer.subarray(0, n));
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
      this.#pushed >= this.#end ||
      (this.#done && !this.#ready.has(this.#pushed) && this.#inFlight === 0);
    if (finished && !this.readableEnded) {
      this.#done = true;
      this.push(null);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#done = true;
    this.#ready.clear();
    // close() waits for the reads still in flight (their buffers stay pinned until then).
    const file = this.#file;
    if (file === null) callback(error);
    else
      file.close().then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
  }
}

/** A Writable that writes with kernel AIO, `concurrency` requests behind the producer. */
export class AioWriteStream extends Writable {
  readonly path: string;
  /** Bytes the kernel has written so far. */
  bytesWritten = 0;
  #file: AioFile | null = null;
  readonly #options: ReturnType<typeof common> & WriteStreamOptions;
  #position: number;
  #inFlight = 0;
  #waiting: ((error?: Error | null) => void) | null = null;
  #idle: Array<() => void> = [];
  #failure: Error | null = null;
  /** O_DIRECT: bytes gathered into whole blocks before they are written. */
  #staging: Buffer | null = null;
  #staged = 0;

  constructor(path: PathLike, options: WriteStreamOptions = {}) {
    const o = { ...options, ...common(options) };
    const start = o.start ?? 0;
    validateInteger(start, 'options.start', 0, Number.MAX_SAFE_INTEGER);
    if (o.direct && typeof o.flags === 'string' && o.flags.includes('a')) {
      throw new InvalidArgValueError('options.flags', o.flags, 'cannot append with direct');
    }
    super({ highWaterMark: o.chunk, ...(o.signal ? { signal: o.signal } : {}) });
    this.path = String(path);
    this.#options = o;
    this.#position = start;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    const { direct, context, mode, flags } = this.#options;
    const options = {
      direct: direct === true,
      ...(context ? { context } : {}),
      ...(mode === undefined ? {} : { mode }),
    };
    announceOpen(this, open(this.path, flags ?? 'w', options), callback, (file) => {
      this.#file = file;
    });
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
    const file = this.#file!;
    if (!file.direct) {
      // Called back before the kernel is done: keep a copy, the producer may reuse its buffer.
      this.#issue(Buffer.from(chunk), callback);
      return;
    }
    let at = 0;
    while (at < chunk.length) {
      this.#staging ??= allocAligned(this.#blockSize(file), file.alignment!.memory);
      const n = Math.min(chunk.length - at, this.#staging.length - this.#staged);
      chunk.copy(this.#staging, this.#staged, at, at + n);
      this.#staged += n;
      at += n;
      if (this.#staged === this.#staging.length) this.#flushStaging();
    }
    this.#afterWrite(callback);
  }

  #blockSize(file: AioFile): number {
    const a = file.alignment!;
    return alignUp(this.#options.chunk, Math.max(a.memory, a.offset));
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
    this.#file!.write(data, position).then(
      (n) => {
        this.bytesWritten += n;
        this.#settled(null);
      },
      (error: Error) => this.#settled(error),
    );
  }

  #issue(data: Buffer, callback: (error?: Error | null) => void): void {
    this.#send(data);
    this.#afterWrite(callback);
  }

  #afterWrite(callback: (error?: Error | null) => void): void {
    if (this.#inFlight < this.#options.concurrency) callback();
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
    this.#drained().then(() => callback(this.#failure));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const file = this.#file;
    this.#drained()
      .then(() => file?.close())
      .then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      );
  }
}

/** A Readable of `path` through kernel AIO (options as fs.createReadStream, plus concurrency and direct). */
export function createReadStream(path: PathLike, options?: ReadStreamOptions): AioReadStream {
  return new AioReadStream(path, options);
}

/** A Writable to `path` through kernel AIO (options as fs.createWriteStream, plus concurrency and direct). */
export function createWriteStream(path: PathLike, options?: WriteStreamOptions): AioWriteStream {
  return new AioWriteStream(path, options);
}
