// readFile through kernel AIO, taking what fs.promises.readFile takes: files are read in
// chunks with several in flight; short transfers are continued, never returned as silently
// truncated data. (writeFile and appendFile are in file-write.ts.)
import { S_IF } from '@aio/bind';
import { alignUp, allocAligned } from '../aligned.js';
import { AbortError } from '../errors.js';
import { readAll } from './direct-io.js';
import type { AioFile } from './file.js';
import { type FileCore, readAt } from './file-io.js';
import { integerOption, parseOptions, type TransferExtras } from './file-options.js';
import { files } from './file-port.js';
import { sizeOf } from './file-setup.js';
import { acquire, type FileSource, relinquish } from './file-source.js';
import type { OpenFlags } from './flags.js';

/** Options of readFile(): node's, plus how the transfer is done. */
export interface ReadFileOptions extends TransferExtras {
  /** Decode to a string with this encoding (default: a Buffer). */
  encoding?: BufferEncoding | null;
  /** Flags to open a path with (default 'r'). */
  flag?: OpenFlags;
  /** Aborts the read (the file is closed if readFile opened it). */
  signal?: AbortSignal;
  /** Bytes per request (default 1 MiB; a multiple of the O_DIRECT alignment is used when direct). */
  chunkSize?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
}

/** @deprecated Use ReadFileOptions / WriteFileOptions. */
export type FileTransferOptions = ReadFileOptions;

export const DEFAULT_CHUNK_SIZE = 1 << 20;
export const DEFAULT_CONCURRENCY = 4;
/** Node's kIoMaxLength: readFile refuses larger files with ERR_FS_FILE_TOO_LARGE. */
const IO_MAX = 2 ** 31 - 1;

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

/** Runs `work(i)` for i in [0, count) with at most `limit` running at once. */
export async function pool(
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

/** Node's ERR_FS_FILE_TOO_LARGE (a RangeError). */
class FileTooLargeError extends RangeError {
  readonly code = 'ERR_FS_FILE_TOO_LARGE' as const;
  constructor(size: number) {
    super(`File size (${size}) is greater than 2 GiB`);
    this.name = 'RangeError';
  }
}

function blockOf(file: AioFile): number {
  return file.direct ? Math.max(file.alignment!.memory, file.alignment!.offset) : 1;
}

/** What a read at the end of file asks for first: usually it returns 0 (no growth). */
const PROBE = 16 * 1024;

/**
 * Reads until end of file from `position` and returns the bytes: first a small read (it
 * returns 0 unless the file grew since its size was taken, and completes inside io_submit),
 * then `chunk`-sized requests.
 */
async function readRest(
  core: FileCore,
  direct: boolean,
  block: number,
  position: number,
  chunk: number,
  signal: AbortSignal | undefined,
): Promise<Buffer[]> {
  const parts: Buffer[] = [];
  for (let size = Math.min(alignUp(PROBE, block), chunk); ; size = chunk) {
    throwIfAborted(signal);
    const part = direct ? allocAligned(size, block) : Buffer.allocUnsafe(size);
    const n = await readAt(core, part, position, { signal });
    if (n === 0) return parts;
    parts.push(part.subarray(0, n));
    position += n;
  }
}

interface Plan {
  chunk: number;
  concurrency: number;
  signal: AbortSignal | undefined;
}

/** The bytes of [start, end of file), `plan.concurrency` chunks in flight. */
async function readFrom(file: AioFile, start: number, plan: Plan): Promise<Buffer<ArrayBuffer>> {
  const core = files().core(file);
  const { signal } = plan;
  const regular = core.type === S_IF.REG;
  const size = regular ? await sizeOf(file.fd) : 0;
  throwIfAborted(signal);
  if (size > IO_MAX) throw new FileTooLargeError(size);
  const block = blockOf(file);
  const chunk = alignUp(plan.chunk, block);
  const length = Math.max(0, size - start);
  const all = (
    file.direct ? allocAligned(alignUp(length, block), block) : Buffer.allocUnsafe(length)
  ) as Buffer<ArrayBuffer>;
  const chunks = Math.ceil(length / chunk);
  const lengths = new Float64Array(chunks);
  await pool(chunks, plan.concurrency, signal, async (i) => {
    const from = i * chunk;
    // Direct: the last chunk is read whole-block; the kernel stops at end of file.
    const to = file.direct ? Math.min(from + chunk, all.length) : Math.min(from + chunk, length);
    const read = (v: Uint8Array, p: number) => readAt(core, v, p, { signal });
    lengths[i] = await readAll(read, all.subarray(from, to), start + from);
  });
  // Up to the first short chunk: the file ended there (it shrank while we read).
  let total = 0;
  for (let i = 0; i < chunks; i++) {
    total += Math.min(lengths[i]!, length - total);
    if (lengths[i]! < Math.min(chunk, length - i * chunk)) return all.subarray(0, total);
  }
  const more = await readRest(core, file.direct, block, start + length, chunk, signal);
  return more.length === 0
    ? all.subarray(0, length)
    : Buffer.concat([all.subarray(0, length), ...more]);
}

/**
 * The whole content of a file, as fs.promises.readFile, read with kernel AIO: `concurrency`
 * chunks of `chunkSize` bytes in flight. `file` is a path (string, Buffer, file: URL), an fd,
 * a FileHandle or an AioFile (read from its file pointer, which then moves to the end);
 * `options` an object or an encoding. If the file shrinks while being read, the bytes up to
 * its new end are returned; if it grows, reading continues to its end.
 * @throws (rejects) fs / AioError errors (`ENOENT`, `EISDIR`...), `ERR_INVALID_ARG_TYPE`,
 * `ERR_INVALID_ARG_VALUE`, `ERR_OUT_OF_RANGE`, `ERR_FS_FILE_TOO_LARGE` (over 2 GiB, as
 * node:fs), `ERR_AIO_DIRECT_UNSUPPORTED`, `ABORT_ERR`.
 * @example const text = await readFile('notes.txt', 'utf8');
 */
export function readFile(
  file: FileSource,
  options?: ({ encoding?: null } & Omit<ReadFileOptions, 'encoding'>) | null,
): Promise<Buffer<ArrayBuffer>>;
export function readFile(
  file: FileSource,
  options: ({ encoding: BufferEncoding } & ReadFileOptions) | BufferEncoding,
): Promise<string>;
export function readFile(
  file: FileSource,
  options?: ReadFileOptions | BufferEncoding | null,
): Promise<string | Buffer<ArrayBuffer>>;
export async function readFile(
  file: FileSource,
  options?: ReadFileOptions | BufferEncoding | null,
): Promise<string | Buffer<ArrayBuffer>> {
  const o = parseOptions(options);
  const plan = {
    chunk: integerOption(o.chunkSize, 'options.chunkSize', 1, 1 << 30, DEFAULT_CHUNK_SIZE),
    concurrency: integerOption(o.concurrency, 'options.concurrency', 1, 1024, DEFAULT_CONCURRENCY),
    signal: o.signal,
  };
  throwIfAborted(o.signal);
  const flag = (o.flag ?? 'r') as OpenFlags;
  const acquired = await acquire(file, flag || 'r', { direct: o.direct, context: o.context });
  let data: Buffer<ArrayBuffer>;
  try {
    throwIfAborted(o.signal); // an abort during open rejects, even for an empty file
    data = await readFrom(acquired.file, acquired.position, plan);
    if (acquired.movesPointer) files().pointer(acquired.file, acquired.position + data.length);
  } catch (error) {
    await relinquish(acquired, error);
    throw error;
  }
  await relinquish(acquired);
  return o.encoding && o.encoding !== 'buffer' ? data.toString(o.encoding) : data;
}
