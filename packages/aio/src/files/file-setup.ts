// What an AioFile learns about its descriptor once, when it is created: the file type (a
// directory is refused at read time as read(2) refuses it), O_APPEND and O_DIRECT from the
// open flags, and for O_DIRECT the alignment and the per-file write lock (keyed by device and
// inode, so that every AioFile of this thread on the file shares it).
import { close, constants, fstat, ftruncate, readFileSync } from 'node:fs';
import { decodeStatx, F, fcntl, SIZEOF_STATX, STATX, statx } from '@aio/bind';
import type { AioContext } from '../context/context.js';
import { directAlignmentSync } from '../direct.js';
import type { DirectFile } from './direct-io.js';
import { acquireFileLock, releaseFileLock } from './lock.js';

const STATX_INO = 0x100;

/** The facts of an open descriptor an AioFile keeps. */
export interface FileFacts {
  readonly type: number;
  readonly append: boolean;
  readonly direct: DirectFile | null;
  /** The key of the shared write lock (O_DIRECT only), released when the file closes. */
  readonly lockKey: string | null;
}

/** fstat(fd).size through the threadpool, as node:fs does it. */
export function sizeOf(fd: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.size))),
  );
}

export function truncateFd(fd: number, length: number): Promise<void> {
  return new Promise((resolve, reject) =>
    ftruncate(fd, length, (error) => (error ? reject(error) : resolve())),
  );
}

/**
 * Examines `target`'s descriptor (`flags`: its open flags, or undefined to ask fcntl).
 * @throws {AioError} EBADF; {@link DirectUnsupportedError} for O_DIRECT where it is refused.
 */
export function examine(
  target: { readonly fd: number },
  context: AioContext,
  flags?: number,
): FileFacts {
  const fd = target.fd;
  const open = flags ?? fcntl(fd, F.GETFL);
  const info = decodeStatx(
    statx(fd, null, 0, STATX.TYPE | STATX_INO, new Uint8Array(SIZEOF_STATX)),
  );
  const type = info.mode & 0o170000;
  const append = (open & constants.O_APPEND) !== 0;
  if ((open & constants.O_DIRECT) === 0) return { type, append, direct: null, lockKey: null };
  const alignment = directAlignmentSync(fd);
  const lockKey = `${info.devMajor}:${info.devMinor}:${info.ino}`;
  const direct: DirectFile = {
    context,
    handle: target,
    alignment,
    lock: acquireFileLock(lockKey),
    size: () => sizeOf(target.fd),
    truncate: (length) => truncateFd(target.fd, length),
  };
  return { type, append, direct, lockKey };
}

/** Gives back what examine() took (the shared lock's reference). */
export function forget(facts: FileFacts): void {
  if (facts.lockKey !== null) releaseFileLock(facts.lockKey);
}

/**
 * The kernel file position of `fd` (from /proc/self/fdinfo, a procfs read that never waits for
 * a device), for readFile, writeFile and streams given an fd or a FileHandle without a start,
 * which node:fs reads and writes from there. 0 when it cannot be known.
 */
export function kernelPosition(fd: number): number {
  try {
    const info = readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1');
    const match = /^pos:\s*(\d+)/m.exec(info);
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}

/** Closes a raw fd that a stream or file owns (in the threadpool: close(2) can wait on NFS). */
export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) =>
    close(fd, (error) => (error ? reject(error) : resolve())),
  );
}
