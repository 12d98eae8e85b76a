// What readFile, writeFile and the streams accept as their file, as node:fs does: a path (a
// string, Buffer or file: URL), an fd, a FileHandle (or any object with a numeric fd), or an
// AioFile. Each becomes an AioFile and a starting position. A path is opened and closed by the
// call; the others are used where they are: an AioFile from its file pointer (which the call
// then moves), an fd or FileHandle from the kernel's file position (which it does not move:
// kernel AIO has no way to).
import type { PathLike } from 'node:fs';
import { InvalidArgTypeError } from '@aio/bind';
import { validateInteger } from '@aio/bind/internal';
import type { AioContext } from '../context/context.js';
import { defaultContext } from '../context/default-context.js';
import type { AioFile } from './file.js';
import { files } from './file-port.js';
import { closeFd, kernelPosition } from './file-setup.js';
import type { OpenFlags } from './flags.js';
import { closedError } from './node-errors.js';

/** What readFile / writeFile / appendFile and the streams take as the file. */
export type FileSource = PathLike | number | AioFile | { readonly fd: number };

/** The file of one call, and what to do with it afterwards. */
export interface Acquired {
  readonly file: AioFile;
  /** Opened by the call from a path: the call closes it. */
  readonly opened: boolean;
  /** Where the call starts (the file pointer of an AioFile, the kernel's for an fd). */
  readonly position: number;
  /** An AioFile of the caller's: the call moves its file pointer past what it transferred. */
  readonly movesPointer: boolean;
  /** Ends the call's use of the file without closing it (a borrowed fd or FileHandle). */
  readonly done: () => void;
}

const FD_MAX = 0x7fff_ffff;
const nothing = () => {};

function isPath(source: unknown): source is PathLike {
  return typeof source === 'string' || source instanceof URL || Buffer.isBuffer(source);
}

/**
 * An AioFile over a borrowed descriptor. `close` is what closing the AioFile does (the
 * streams' autoClose); readFile and writeFile never close it.
 */
export function borrow(
  source: number | { readonly fd: number },
  context: AioContext,
  close: () => Promise<void>,
): AioFile {
  if (typeof source === 'number') {
    validateInteger(source, 'fd', 0, FD_MAX);
    const box = { fd: source };
    return files().on({ target: box, path: '', close, position: kernelPosition(source) }, context);
  }
  const fd = source.fd;
  if (typeof fd !== 'number')
    throw new InvalidArgTypeError('fd', 'a number, a FileHandle or an AioFile', source);
  validateInteger(fd, 'fd', 0, FD_MAX);
  return files().on({ target: source, path: '', close, position: kernelPosition(fd) }, context);
}

/** Closes what a borrowed source is, for a stream with autoClose. */
export function closerOf(source: number | { readonly fd: number }): () => Promise<void> {
  if (typeof source === 'number') return () => closeFd(source);
  const close = (source as { close?: unknown }).close;
  if (typeof close !== 'function') return () => Promise.resolve();
  return () => Promise.resolve(close.call(source)).then(nothing);
}

/**
 * The file for one readFile / writeFile call: `flag` and `mode` apply when a path is opened.
 * @throws (rejects) `ERR_INVALID_ARG_TYPE` for anything else; fs and open() errors.
 */
export async function acquire(
  source: unknown,
  flag: OpenFlags,
  options: { mode?: unknown; direct: boolean; context: AioContext | undefined },
): Promise<Acquired> {
  const context = options.context ?? defaultContext();
  if (files().is(source)) {
    if (source.fd === -1) throw closedError('read');
    return {
      file: source,
      opened: false,
      position: files().pointer(source),
      movesPointer: true,
      done: nothing,
    };
  }
  if (isPath(source)) {
    const open = { direct: options.direct, context, mode: options.mode as number | undefined };
    const file = await files().open(source, flag, open);
    return { file, opened: true, position: 0, movesPointer: false, done: nothing };
  }
  if (typeof source === 'number' || (typeof source === 'object' && source !== null)) {
    const file = borrow(source as number | { fd: number }, context, () => Promise.resolve());
    const done = () => files().release(file);
    return { file, opened: false, position: files().pointer(file), movesPointer: false, done };
  }
  throw new InvalidArgTypeError(
    'path',
    'of type string or an instance of Buffer, URL, FileHandle or AioFile, or an fd',
    source,
  );
}

/** Ends a call's use of its file: closes what it opened; as node's handleFdClose, keeps the first error. */
export async function relinquish(acquired: Acquired, failure?: unknown): Promise<void> {
  if (!acquired.opened) {
    acquired.done();
    return;
  }
  try {
    await acquired.file.close();
  } catch (closeError) {
    if (failure === undefined) throw closeError;
  }
}
