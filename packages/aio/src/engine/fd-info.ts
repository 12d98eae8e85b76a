// What the engine needs to know about a request's file, and what it costs to find out.
//
// Reads need nothing up front: they go to the kernel with RWF_NOWAIT, which makes io_submit
// answer at once whatever the file is (a page-cache hit completes; a miss, an empty pipe or a
// full socket says EAGAIN; a file without nowait support, such as a FIFO or a /proc file, is
// refused with ENOTSUP), so the file is only examined on those slow paths. Writes cannot go
// that way (ext4 refuses RWF_NOWAIT on buffered writes), so a write's file is classified before
// it is submitted: one statx and one fcntl, cached on the object the fd came from (a
// FileHandle, an AioFile, a { fd }), and for a raw number once per flush (a number can be
// closed and reused for another file between two flushes, so it is never trusted longer).
//
// Apart from that, only hints are kept per fd number: whether its reads complete inside
// io_submit (buffered) or later (O_DIRECT), which decides whether they ask for the eventfd
// signal. A wrong hint costs time, never safety: a read that completes later without the
// signal is reaped on a timer (see engine.ts), one that signals needlessly costs an fd lookup.
import { constants } from 'node:fs';
import { AioError, decodeStatx, F, fcntl, S_IF, SIZEOF_STATX, STATX, statx } from '@aio/bind';

export const TYPE_REG = 1;
export const TYPE_BLK = 2;
export const TYPE_DIR = 3;
/** FIFOs and sockets: no positions, readiness by poll. */
export const TYPE_STREAM = 4;
/** Character devices, and fds without a type (eventfd, epoll...). */
export const TYPE_CHAR = 5;

/** A file as classified (see classify()). */
export interface FdInfo {
  /** The fd it was classified as (an object's fd can change). */
  readonly fd: number;
  readonly type: number;
  /** Opened O_DIRECT: transfers are truly asynchronous. */
  direct: boolean;
  /** Opened O_APPEND: every write goes to the end of file. */
  readonly append: boolean;
  /** Known to refuse RWF_NOWAIT (ENOTSUP): its reads go to the threadpool directly. */
  noNowait: boolean;
  /** Transfers do not complete inside io_submit (learned): they ask for the eventfd signal. */
  completesLater: boolean;
}

const O_DIRECT = constants.O_DIRECT;
const O_APPEND = constants.O_APPEND;
/** statx flag: do not revalidate with a network server, the cached attributes are enough. */
const AT_STATX_DONT_SYNC = 0x4000;
const scratch = new Uint8Array(SIZEOF_STATX);

function typeOf(mode: number): number {
  switch (mode & S_IF.MT) {
    case S_IF.REG:
      return TYPE_REG;
    case S_IF.BLK:
      return TYPE_BLK;
    case S_IF.DIR:
      return TYPE_DIR;
    case S_IF.FIFO:
    case S_IF.SOCK:
      return TYPE_STREAM;
    default:
      return TYPE_CHAR;
  }
}

/** Type, O_DIRECT and O_APPEND of an open fd. @throws {AioError} EBADF when it is not open. */
/** Whether the file has positions (a regular file or a block device; not a pipe, socket, tty). */
export function seekable(info: FdInfo): boolean {
  return info.type === TYPE_REG || info.type === TYPE_BLK;
}

export function classify(fd: number): FdInfo {
  const info = decodeStatx(statx(fd, null, AT_STATX_DONT_SYNC, STATX.TYPE, scratch));
  const flags = fcntl(fd, F.GETFL);
  const type = typeOf(info.mode);
  return {
    fd,
    type,
    direct: (flags & O_DIRECT) !== 0,
    append: (flags & O_APPEND) !== 0,
    noNowait: false,
    completesLater: (flags & O_DIRECT) !== 0 || (type !== TYPE_REG && type !== TYPE_BLK),
  };
}

/** The size of an open file, or -1 when it cannot be had. */
export function sizeOf(fd: number): number {
  try {
    return decodeStatx(statx(fd, null, AT_STATX_DONT_SYNC, STATX.SIZE, scratch)).size;
  } catch (error) {
    if (error instanceof AioError) return -1;
    throw error;
  }
}

const HINT_UNKNOWN = 0;
const HINT_INLINE = 1;
const HINT_LATER = 2;
const HINTS_MAX = 1 << 16;

/** The per-context cache of classifications and hints. */
export class FdTable {
  readonly #objects = new WeakMap<object, FdInfo>();
  #flush = new Map<number, FdInfo>();
  readonly #hints = new Uint8Array(HINTS_MAX);

  /** Forgets the classifications of raw fds: call at the start of each flush. */
  begin(): void {
    if (this.#flush.size > 0) this.#flush = new Map();
  }

  /** The classification of `fd` (from `file`, or a raw number). @throws {AioError} EBADF. */
  info(fd: number, file: object | null): FdInfo {
    if (file !== null) {
      const known = this.#objects.get(file);
      if (known !== undefined && known.fd === fd) return known;
      const info = classify(fd);
      this.#objects.set(file, info);
      return info;
    }
    let info = this.#flush.get(fd);
    if (info === undefined) {
      info = classify(fd);
      this.#flush.set(fd, info);
    }
    return info;
  }

  /** The classification of an object's fd if known (no syscall), else null. */
  known(fd: number, file: object | null): FdInfo | null {
    if (file === null) return null;
    const known = this.#objects.get(file);
    return known !== undefined && known.fd === fd ? known : null;
  }

  /** Whether reads of `fd` are expected to complete inside io_submit. */
  readsInline(fd: number, file: object | null): boolean {
    const known = this.known(fd, file);
    if (known !== null) return !known.completesLater;
    return fd >= HINTS_MAX || this.#hints[fd] !== HINT_LATER;
  }

  /** A transfer on `fd` completed inside io_submit (true) or later (false). */
  learn(fd: number, file: object | null, inline: boolean): void {
    const known = this.known(fd, file);
    if (known !== null) known.completesLater = !inline;
    else if (fd < HINTS_MAX) this.#hints[fd] = inline ? HINT_INLINE : HINT_LATER;
  }

  /** Drops what is known about a raw fd number (it failed: it may be closed and reused). */
  forget(fd: number): void {
    if (fd < HINTS_MAX) this.#hints[fd] = HINT_UNKNOWN;
  }
}
