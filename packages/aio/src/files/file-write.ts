// writeFile and appendFile through kernel AIO, taking what fs.promises takes: data as a
// string, any view, or an (async) iterable of strings and views; `concurrency` chunks of a
// view in flight; short writes are continued.
import { constants } from 'node:fs';
import { types } from 'node:util';
import { InvalidArgTypeError, InvalidArgValueError } from '@aio/bind';
import { isView } from '@aio/bind/internal';
import { alignDown, alignUp, allocAligned } from '../aligned.js';
import type { AioFile } from './file.js';
import { bytesOf } from './file-args.js';
import { type FileCore, writeAt } from './file-io.js';
import { booleanOption, integerOption, type ParsedOptions, parseOptions } from './file-options.js';
import { files } from './file-port.js';
import { acquire, type FileSource, relinquish } from './file-source.js';
import { parseFlags } from './flags.js';
import {
  DEFAULT_CHUNK_SIZE,
  DEFAULT_CONCURRENCY,
  pool,
  type ReadFileOptions,
  throwIfAborted,
} from './read-write-file.js';

/** Options of writeFile() and appendFile(): node's, plus how the transfer is done. */
export interface WriteFileOptions extends Omit<ReadFileOptions, 'flag'> {
  /** Flags to open a path with (default 'w'; appendFile: 'a'). */
  flag?: ReadFileOptions['flag'];
  /** Permissions of a created file (default 0o666, before umask). */
  mode?: number | string;
  /** fsync before closing a path it opened (default false). */
  flush?: boolean;
}

/** What writeFile() takes as data. */
export type WriteFileData =
  | string
  | NodeJS.ArrayBufferView
  | Iterable<string | NodeJS.ArrayBufferView>
  | AsyncIterable<string | NodeJS.ArrayBufferView>;

function isIterable(data: unknown): data is Iterable<unknown> | AsyncIterable<unknown> {
  // A Proxy (of a view, say) is refused: iterating it would run its traps against the view.
  if (typeof data !== 'object' || data === null || types.isProxy(data)) return false;
  const o = data as Record<symbol, unknown>;
  return typeof o[Symbol.iterator] === 'function' || typeof o[Symbol.asyncIterator] === 'function';
}

/** Writes `bytes` from `position` in `chunk`-sized requests, `concurrency` in flight. */
async function writeChunks(
  file: AioFile,
  bytes: Uint8Array,
  position: number,
  o: { chunk: number; concurrency: number; signal: AbortSignal | undefined },
): Promise<void> {
  const core = files().core(file);
  const signal = o.signal;
  if (file.append) {
    await writeAt(core, bytes, 0, { signal }); // one request: O_APPEND places it atomically
    return;
  }
  const block = file.direct ? Math.max(file.alignment!.memory, file.alignment!.offset) : 1;
  const chunk = alignUp(o.chunk, block);
  const chunks = Math.ceil(bytes.byteLength / chunk);
  await pool(chunks, o.concurrency, signal, async (i) => {
    const part = bytes.subarray(i * chunk, Math.min((i + 1) * chunk, bytes.byteLength));
    const at = position + i * chunk;
    if (!file.direct || at % block !== 0) return void (await writeAt(core, part, at, { signal }));
    // An aligned copy: whole blocks go straight to the kernel; only a partial last block is
    // read-modify-written (and the file trimmed to its end).
    const whole = alignDown(part.byteLength, block);
    const aligned = allocAligned(alignUp(part.byteLength, block), block);
    aligned.set(part);
    if (whole > 0) await writeAt(core, aligned.subarray(0, whole), at, { signal });
    if (whole < part.byteLength)
      await writeAt(core, aligned.subarray(whole, part.byteLength), at + whole, { signal });
  });
}

/** Writes each string or view of `data` in turn from `position`; returns the end. */
async function writeIterable(
  core: FileCore,
  data: Iterable<unknown> | AsyncIterable<unknown>,
  position: number,
  o: ParsedOptions,
): Promise<number> {
  let at = position;
  for await (const item of data as AsyncIterable<unknown>) {
    throwIfAborted(o.signal);
    const bytes = isView(item) ? bytesOf(item) : bytesOf(toBuffer(item, o.encoding));
    await writeAt(core, bytes, at, { signal: o.signal });
    at += bytes.byteLength;
  }
  return at;
}

function toBuffer(data: unknown, encoding: ParsedOptions['encoding']): Buffer {
  if (typeof data !== 'string') {
    throw new InvalidArgTypeError(
      'data',
      'of type string or an instance of Buffer, TypedArray, or DataView',
      data,
    );
  }
  return Buffer.from(data, encoding && encoding !== 'buffer' ? encoding : 'utf8');
}

/**
 * Writes `data` to `file` as fs.promises.writeFile, with kernel AIO: `concurrency` chunks in
 * flight, short writes continued. `file` is a path (opened with `flag`, default 'w'), an fd,
 * a FileHandle or an AioFile (written from its file pointer, which then moves past the data).
 * With `direct`, whole blocks are written from aligned copies and a partial last block is
 * read-modify-written.
 * @throws (rejects) fs / AioError errors (`ENOSPC`, `EISDIR`...), `ERR_INVALID_ARG_TYPE`,
 * `ERR_INVALID_ARG_VALUE` (encoding, direct with an append flag), `ERR_OUT_OF_RANGE`,
 * `ERR_AIO_DIRECT_UNSUPPORTED`, `ABORT_ERR`.
 */
export async function writeFile(
  file: FileSource,
  data: WriteFileData,
  options?: WriteFileOptions | BufferEncoding | null,
): Promise<void> {
  const o = parseOptions(options);
  return writeParsed(file, data, o, (o.flag || 'w') as string | number);
}

async function writeParsed(
  file: FileSource,
  data: WriteFileData,
  o: ParsedOptions,
  flag: string | number,
): Promise<void> {
  const flush = booleanOption(o.flush, 'options.flush', false);
  const plan = {
    chunk: integerOption(o.chunkSize, 'options.chunkSize', 1, 1 << 30, DEFAULT_CHUNK_SIZE),
    concurrency: integerOption(o.concurrency, 'options.concurrency', 1, 1024, DEFAULT_CONCURRENCY),
    signal: o.signal,
  };
  let bytes: Uint8Array | null = null;
  if (isView(data)) bytes = bytesOf(data, 0, undefined, 'data');
  else if (!isIterable(data) || typeof data === 'string')
    bytes = bytesOf(toBuffer(data, o.encoding));
  if (o.direct && (parseFlags(flag, 'options.flag') & constants.O_APPEND) !== 0) {
    throw new InvalidArgValueError(
      'options.flag',
      flag,
      'cannot append with direct: the end of file is rarely aligned',
    );
  }
  throwIfAborted(o.signal);
  const acquired = await acquire(file, flag, {
    mode: o.mode,
    direct: o.direct,
    context: o.context,
  });
  try {
    throwIfAborted(o.signal);
    const start = acquired.position;
    const core = files().core(acquired.file);
    let end = start;
    if (bytes === null) end = await writeIterable(core, data as Iterable<unknown>, start, o);
    else {
      await writeChunks(acquired.file, bytes, start, plan);
      end += bytes.byteLength;
    }
    if (acquired.movesPointer && !acquired.file.append) files().pointer(acquired.file, end);
    if (flush && acquired.opened) await acquired.file.sync();
  } catch (error) {
    await relinquish(acquired, error);
    throw error;
  }
  await relinquish(acquired);
}

/**
 * Appends `data`, as fs.promises.appendFile: writeFile with flag 'a' by default (a FileHandle
 * or AioFile is written at its position, as node:fs does).
 * @throws (rejects) as {@link writeFile}.
 */
export async function appendFile(
  file: FileSource,
  data: WriteFileData,
  options?: WriteFileOptions | BufferEncoding | null,
): Promise<void> {
  const o = parseOptions(options);
  return writeParsed(file, data, o, (o.flag || 'a') as string | number);
}
