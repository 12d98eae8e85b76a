// readFile / writeFile through kernel AIO: files are read and written in chunks with several
// in flight; short transfers are continued, never returned as silently truncated data.
import type { PathLike } from 'node:fs';
import {
  InvalidArgTypeError,
  InvalidArgValueError,
  validateInteger,
  validateView,
} from '@aio/bind';
import { alignUp, allocAligned } from './aligned.js';
import type { AioContext } from './context.js';
import { readAll } from './direct-io.js';
import { AbortError } from './errors.js';
import { type AioFile, open } from './file.js';
import { validateSignal } from './validate.js';

/** Options of readFile() and writeFile(). */
export interface FileTransferOptions {
  /** Use O_DIRECT (alignment handled for you). */
  direct?: boolean;
  /** Bytes per request (default 1 MiB; a multiple of the O_DIRECT alignment is used when direct). */
  chunkSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** The context to run on (default: the process-wide one). */
  context?: AioContext;
  /** Aborts the transfer (the file is closed; written data may remain). */
  signal?: AbortSignal;
}

/** Options of writeFile(). */
export interface WriteFileOptions extends FileTransferOptions {
  /** 'w' (default), 'wx', 'a' or 'ax'. Append modes are buffered only. */
  flag?: 'w' | 'wx' | 'a' | 'ax';
  /** Permissions of a created file (default 0o666, before umask). */
  mode?: number;
  /** For string data (default 'utf8'). */
  encoding?: BufferEncoding;
}

export const DEFAULT_CHUNK_SIZE = 1 << 20;
export const DEFAULT_CONCURRENCY = 4;

function transferOptions<T extends FileTransferOptions>(
  options: T,
): T & { chunkSize: number; concurrency: number } {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgTypeError('options', 'of type object', options);
  const o = options;
  const chunkSize = o.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const concurrency = o.concurrency ?? DEFAULT_CONCURRENCY;
  validateInteger(chunkSize, 'options.chunkSize', 1, 1 << 30);
  validateInteger(concurrency, 'options.concurrency', 1, 1024);
  if (o.signal !== undefined) validateSignal(o.signal);
  return { ...o, chunkSize, concurrency };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

/** Runs `work(i)` for i in [0, count) with at most `limit` running at once. */
async function pool(
  count: number,
  limit: number,
  signal: AbortSignal | undefined,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      throwIfAborted(signal);
      await work(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** Reads until end of file from `position`, in `chunk`-sized requests, and returns the bytes. */
async function readRest(file: AioFile, position: number, chunk: number): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for (;;) {
    const part = file.direct
      ? allocAligned(chunk, file.alignment!.memory)
      : Buffer.allocUnsafe(chunk);
    const n = await file.read(part, position);
    if (n === 0) return parts;
    parts.push(part.subarray(0, n));
    position += n;
  }
}

/**
 * The whole content of a file, read with kernel AIO: `concurrency` chunks of `chunkSize`
 * bytes in flight. If the file shrinks while being read, the bytes up to its new end are
 * returned; if it grows, reading continues to its end.
 * @throws (rejects) fs / AioError errors, `ERR_AIO_DIRECT_UNSUPPORTED`, `ABORT_ERR`.
 * @example const data = await readFile('big.bin', { direct: true, concurrency: 8 });
 */
export async function readFile(path: PathLike, options: FileTransferOptions = {}): Promise<Buffer> {
  const o = transferOptions(options);
  throwIfAborted(o.signal);
  const file = await open(
    path,
    'r',
    o.direct === undefined ? { context: o.context } : { direct: o.direct, context: o.context },
  );
  try {
    const size = await file.size();
    const block = file.direct ? Math.max(file.alignment!.memory, file.alignment!.offset) : 1;
    const chunk = alignUp(o.chunkSize, block);
    const all = file.direct ? allocAligned(alignUp(size, block), block) : Buffer.allocUnsafe(size);
    const chunks = Math.ceil(size / chunk);
    const lengths = new Float64Array(chunks);
    await pool(chunks, o.concurrency, o.signal, async (i) => {
      const start = i * chunk;
      // Direct: the last chunk is read whole-block; the kernel stops at end of file.
      const end = file.direct ? Math.min(start + chunk, all.length) : Math.min(start + chunk, size);
      const read = (v: Uint8Array, p: number) => file.read(v, p, { signal: o.signal });
      lengths[i] = await readAll(read, all.subarray(start, end), start);
    });
    // Up to the first short chunk: the file ended there (it shrank while we read).
    let total = 0;
    for (let i = 0; i < chunks; i++) {
      total += Math.min(lengths[i]!, size - total);
      if (lengths[i]! < Math.min(chunk, size - i * chunk)) return all.subarray(0, total);
    }
    const more = await readRest(file, size, chunk);
    return more.length === 0
      ? all.subarray(0, size)
      : Buffer.concat([all.subarray(0, size), ...more]);
  } finally {
    await file.close();
  }
}

/**
 * Writes `data` (a string or any ArrayBufferView) to `path` with kernel AIO, `concurrency`
 * chunks in flight; short writes are continued. With `direct`, the data is copied into
 * aligned chunks, the last block is padded and the file is then truncated to the exact size.
 * @throws (rejects) fs / AioError errors, `ERR_INVALID_ARG_VALUE` (direct with an append flag),
 * `ERR_AIO_DIRECT_UNSUPPORTED`, `ABORT_ERR`.
 */
export async function writeFile(
  path: PathLike,
  data: string | ArrayBufferView,
  options: WriteFileOptions = {},
): Promise<void> {
  const o = transferOptions(options);
  const flag = o.flag ?? 'w';
  if (!['w', 'wx', 'a', 'ax'].includes(flag))
    throw new InvalidArgValueError('options.flag', flag, "must be 'w', 'wx', 'a' or 'ax'");
  if (o.direct && flag.startsWith('a')) {
    throw new InvalidArgValueError(
      'options.flag',
      flag,
      'cannot append with direct: the end of file is rarely aligned',
    );
  }
  let bytes: Uint8Array;
  if (typeof data === 'string') bytes = Buffer.from(data, o.encoding ?? 'utf8');
  else {
    validateView(data, 'data');
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throwIfAborted(o.signal);
  const openOptions = {
    direct: o.direct === true,
    ...(o.context ? { context: o.context } : {}),
    ...(o.mode === undefined ? {} : { mode: o.mode }),
  };
  const file = await open(path, flag, openOptions);
  try {
    if (flag.startsWith('a')) {
      await file.write(bytes, undefined, { signal: o.signal });
      return;
    }
    const block = file.direct ? Math.max(file.alignment!.memory, file.alignment!.offset) : 1;
    const chunk = alignUp(o.chunkSize, block);
    const chunks = Math.ceil(bytes.byteLength / chunk);
    await pool(chunks, o.concurrency, o.signal, async (i) => {
      const part = bytes.subarray(i * chunk, Math.min((i + 1) * chunk, bytes.byteLength));
      if (!file.direct) {
        await file.write(part, i * chunk, { signal: o.signal }); // short writes are continued
        return;
      }
      // An aligned copy padded to whole blocks (the padding is cut off by the truncate below):
      // every request is then aligned and goes straight to the kernel.
      const aligned = allocAligned(alignUp(part.byteLength, block), block);
      aligned.set(part);
      await file.write(aligned, i * chunk, { signal: o.signal });
    });
    if (file.direct && bytes.byteLength % block !== 0) await file.truncate(bytes.byteLength);
  } finally {
    await file.close();
  }
}
