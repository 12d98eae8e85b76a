// What a flush needs to know about each request's fd, and what it costs to find out.
//
// Only regular files and block devices are asynchronous under kernel AIO. A read of a pipe,
// socket, eventfd or character device runs inside io_submit and can block the event loop
// forever, so such requests get RWF_NOWAIT (the kernel then answers EAGAIN instead of waiting,
// or ENOTSUP at submit for files without nowait support).
//
// And a read or write of a regular file or block device opened without O_DIRECT completes
// inside io_submit (the page cache is copied synchronously), so the flush reaps it right
// away and the eventfd signal (IOCB_FLAG_RESFD: an fd lookup at submit and a wake-up at
// completion, 5-10% of the CPU at 32 buffered reads in flight) buys nothing. Such requests
// are submitted without it. Should one not complete inside io_submit after all (an fd turned
// O_DIRECT by fcntl, a FUSE file in direct_io mode), the engine notices after the submit,
// reaps it on a timer, and every later request on that file signals the eventfd.
//
// The type of a raw fd number is checked once per flush: a number can be closed and reused
// for a pipe between two flushes, so it is never cached longer, and its requests always
// signal the eventfd. An object with an fd (a FileHandle, an AioFile, or your own { fd }) is
// trusted to keep referring to the same open file: its type and O_DIRECT flag are checked
// once, and again only if its fd changes (a FileHandle's becomes -1 when closed, which the
// flush refuses before it gets here).
import { constants } from 'node:fs';
import { F, fcntl, fileType, S_IF } from '@aio/bind';

/** A pipe, socket or character device: reads and writes get RWF_NOWAIT. */
export const FD_BLOCKING = 0;
/** A regular file, block device or directory whose requests may complete later. */
export const FD_ASYNC = 1;
/** Known (through its object) to complete reads and writes inside io_submit. */
export const FD_INLINE = 2;

interface Known {
  fd: number;
  kind: number;
}

export class FdGuard {
  readonly #handles = new WeakMap<object, Known>();
  readonly #fds: number[] = [];
  readonly #kinds: number[] = [];

  /** Forgets the types of raw fds: call at the start of each flush. */
  begin(): void {
    this.#fds.length = 0;
    this.#kinds.length = 0;
  }

  /** FD_BLOCKING, FD_ASYNC or FD_INLINE. @throws {AioError} EBADF when `fd` is not open. */
  kindOf(fd: number, handle: object | null): number {
    if (handle !== null) {
      const known = this.#handles.get(handle);
      if (known !== undefined && known.fd === fd) return known.kind;
      const type = fileType(fd);
      let kind = kindOfType(type);
      if (kind === FD_ASYNC && type !== S_IF.DIR && (fcntl(fd, F.GETFL) & O_DIRECT) === 0) {
        kind = FD_INLINE;
      }
      this.#handles.set(handle, { fd, kind });
      return kind;
    }
    const fds = this.#fds;
    for (let i = 0; i < fds.length; i++) if (fds[i] === fd) return this.#kinds[i]!;
    const kind = kindOfType(fileType(fd));
    fds.push(fd);
    this.#kinds.push(kind);
    return kind;
  }

  /** A request on `handle` did not complete inside io_submit: later ones signal the eventfd. */
  completesLater(handle: object | null): void {
    const known = handle === null ? undefined : this.#handles.get(handle);
    if (known !== undefined && known.kind === FD_INLINE) known.kind = FD_ASYNC;
  }
}

const O_DIRECT = constants.O_DIRECT;

function kindOfType(type: number): number {
  return isAsyncType(type) ? FD_ASYNC : FD_BLOCKING;
}

/**
 * True for the file types whose reads and writes never wait inside io_submit: regular files
 * and block devices (asynchronous), and directories (refused at once).
 */
function isAsyncType(type: number): boolean {
  return type === S_IF.REG || type === S_IF.BLK || type === S_IF.DIR;
}
