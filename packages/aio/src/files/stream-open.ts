// What the two streams share: node's option checks at creation (the path or `fd`, start,
// autoClose...), and _construct's work of turning the path or fd into an AioFile. As in
// node:fs, bad flags or mode and open errors come as an 'error' event, not a throw.
import type { PathLike } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { InvalidArgTypeError, InvalidArgValueError } from '@aio/bind';
import { validateInteger } from '@aio/bind/internal';
import type { AioContext } from '../context/context.js';
import { defaultContext } from '../context/default-context.js';
import type { AioFile } from './file.js';
import { integerOption, type ParsedOptions } from './file-options.js';
import { files } from './file-port.js';
import { borrow, closerOf } from './file-source.js';
import type { OpenFlags } from './flags.js';

/** How a stream gets its file. */
export interface StreamTarget {
  /** The path to open, or undefined when `fd` was given. */
  readonly path: string | Buffer | undefined;
  /** The `fd` option: a number, a FileHandle (any object with a numeric fd) or an AioFile. */
  readonly fd: number | AioFile | { readonly fd: number } | undefined;
  readonly flags: OpenFlags;
  readonly mode: unknown;
  readonly direct: boolean;
  readonly context: AioContext | undefined;
  readonly concurrency: number;
}

const FD_MAX = 0x7fff_ffff;

function validatePath(path: unknown): string | Buffer {
  const p = path instanceof URL ? fileURLToPath(path) : path;
  if (typeof p !== 'string' && !Buffer.isBuffer(p))
    throw new InvalidArgTypeError('path', 'of type string or an instance of Buffer or URL', path);
  if ((typeof p === 'string' && p.includes('\0')) || (typeof p !== 'string' && p.includes(0)))
    throw new InvalidArgValueError(
      'path',
      p,
      'must be a string, Uint8Array, or URL without null bytes',
    );
  return p;
}

function validateFd(fd: unknown): number | AioFile | { readonly fd: number } {
  if (typeof fd === 'number') {
    validateInteger(fd, 'fd', 0, FD_MAX);
    return fd;
  }
  if (files().is(fd)) return fd;
  if (typeof fd === 'object' && fd !== null && typeof (fd as { fd?: unknown }).fd === 'number')
    return fd as { fd: number };
  throw new InvalidArgTypeError('options.fd', 'of type number or an instance of FileHandle', fd);
}

/** The target options of a stream, checked as node:fs checks them at creation. */
export function streamTarget(
  path: PathLike | null | undefined,
  o: ParsedOptions,
  defaultFlags: OpenFlags,
): StreamTarget {
  const concurrency = integerOption(o.concurrency, 'options.concurrency', 1, 1024, 4);
  const common = { direct: o.direct, context: o.context, concurrency };
  if (o.fd === undefined || o.fd === null) {
    const flags = (o.flags === undefined ? defaultFlags : o.flags) as OpenFlags;
    const mode = o.mode === undefined ? 0o666 : o.mode;
    return { path: validatePath(path), fd: undefined, flags, mode, ...common };
  }
  return { path: undefined, fd: validateFd(o.fd), flags: defaultFlags, mode: undefined, ...common };
}

/** start (and end) as node:fs checks them. */
export function validateStart(start: unknown): number | undefined {
  if (start === undefined) return undefined;
  validateInteger(start, 'start', 0, Number.MAX_SAFE_INTEGER);
  return start;
}

/** The stream's file once it exists, with what closing it does. */
export interface Opened {
  readonly file: AioFile;
  /** Opened from a path here (emit 'open' and 'ready', as node:fs does). */
  readonly fromPath: boolean;
  /** The caller's AioFile: its file pointer follows the stream. */
  readonly own: boolean;
}

/** Turns the target into an AioFile (in _construct, so errors become 'error' events). */
export async function openTarget(target: StreamTarget): Promise<Opened> {
  const context = target.context ?? defaultContext();
  const { fd } = target;
  if (fd === undefined) {
    const options = { direct: target.direct, context, mode: target.mode as number };
    const file = await files().open(target.path!, target.flags, options);
    return { file, fromPath: true, own: false };
  }
  if (files().is(fd)) return { file: fd, fromPath: false, own: true };
  return { file: borrow(fd, context, closerOf(fd)), fromPath: false, own: false };
}

/** A FileHandle or AioFile given as `fd`: the stream closes when it does, as in node:fs. */
export function followClose(stream: Readable | Writable, fd: StreamTarget['fd']): void {
  if (typeof fd !== 'object' || fd === null) return;
  const on = (fd as { on?: unknown }).on;
  if (typeof on === 'function')
    on.call(fd, 'close', () => (stream as unknown as { close(): void }).close());
}

/** The fd number node:fs shows on a stream created with an `fd` option. */
export function fdNumber(fd: StreamTarget['fd']): number | null {
  if (fd === undefined) return null;
  return typeof fd === 'number' ? fd : fd.fd;
}
