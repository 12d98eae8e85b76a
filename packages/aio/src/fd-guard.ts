// Only regular files and block devices are asynchronous under kernel AIO. A read of a pipe,
// socket, eventfd or character device runs inside io_submit and can block the event loop
// forever, so such requests get RWF_NOWAIT (the kernel then answers EAGAIN instead of waiting,
// or ENOTSUP at submit for files without nowait support).
//
// The type of a raw fd number is checked once per flush: a number can be closed and reused
// for a pipe between two flushes, so it is never cached longer. An object with an fd (a
// FileHandle, an AioFile, or your own { fd }) is trusted to keep referring to the same open
// file: its type is checked once, and again only if its fd changes (a FileHandle's becomes -1
// when closed, which the flush refuses before it gets here).
import { fileType, S_IF } from '@aio/bind';

export class FdGuard {
  readonly #handles = new WeakMap<object, { fd: number; type: number }>();
  readonly #fds: number[] = [];
  readonly #types: number[] = [];

  /** Forgets the types of raw fds: call at the start of each flush. */
  begin(): void {
    this.#fds.length = 0;
    this.#types.length = 0;
  }

  /** `S_IFMT` bits of `fd`. @throws {AioError} EBADF (statx) when it is not open. */
  typeOf(fd: number, handle: object | null): number {
    if (handle !== null) {
      const known = this.#handles.get(handle);
      if (known !== undefined && known.fd === fd) return known.type;
      const type = fileType(fd);
      this.#handles.set(handle, { fd, type });
      return type;
    }
    const fds = this.#fds;
    for (let i = 0; i < fds.length; i++) if (fds[i] === fd) return this.#types[i]!;
    const type = fileType(fd);
    fds.push(fd);
    this.#types.push(type);
    return type;
  }
}

/**
 * True for the file types whose reads and writes never wait inside io_submit: regular files
 * and block devices (asynchronous), and directories (refused at once).
 */
export function isAsyncType(type: number): boolean {
  return type === S_IF.REG || type === S_IF.BLK || type === S_IF.DIR;
}
