// O_DIRECT alignment: from statx(STATX_DIOALIGN) where the kernel reports it (Linux 6.1+, for
// regular files), else the device's logical block size from sysfs, else 4096 (always safe).
import { closeSync, constants, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeStatx,
  InvalidArgTypeError,
  S_IF,
  SIZEOF_STATX,
  STATX,
  type StatxInfo,
  statx,
} from '@aio/bind';
import { DirectUnsupportedError } from './errors.js';
import { toFd } from './validate.js';

/** Required O_DIRECT alignment of memory addresses and of file offsets and lengths. */
export interface DirectAlignment {
  /** Buffer addresses must be multiples of this. */
  memory: number;
  /** File offsets and lengths must be multiples of this. */
  offset: number;
  /** Where the numbers come from. */
  source: 'statx' | 'device' | 'default';
}

const FALLBACK: DirectAlignment = Object.freeze({ memory: 4096, offset: 4096, source: 'default' });

function statxOf(target: number | string): StatxInfo {
  const buf = new Uint8Array(SIZEOF_STATX);
  const mask = STATX.TYPE | STATX.MODE | STATX.DIOALIGN;
  return decodeStatx(
    typeof target === 'number'
      ? statx(target, null, 0, mask, buf)
      : statx(null, target, 0, mask, buf),
  );
}

function deviceBlockSize(major: number, minor: number): number | null {
  for (const rel of ['queue/logical_block_size', '../queue/logical_block_size']) {
    try {
      const n = Number.parseInt(
        readFileSync(`/sys/dev/block/${major}:${minor}/${rel}`, 'utf8'),
        10,
      );
      if (n > 0) return n;
    } catch {}
  }
  return null;
}

/** The alignment from a statx result (null when it says nothing about O_DIRECT). */
function fromStatx(info: StatxInfo, what: string): DirectAlignment | null {
  if ((info.mask & STATX.DIOALIGN) === 0) return null;
  if (info.dioOffsetAlign === 0) throw new DirectUnsupportedError(what);
  return { memory: info.dioMemAlign, offset: info.dioOffsetAlign, source: 'statx' };
}

function fromDevice(info: StatxInfo): DirectAlignment | null {
  const isDevice = (info.mode & S_IF.MT) === S_IF.BLK;
  const size = isDevice
    ? deviceBlockSize(info.rdevMajor, info.rdevMinor)
    : deviceBlockSize(info.devMajor, info.devMinor);
  return size === null ? null : { memory: size, offset: size, source: 'device' };
}

/** For a directory: create a scratch file and ask about it (statx DIOALIGN is per file). */
function probeDirectory(dir: string): StatxInfo | null {
  const path = join(dir, `.aio-direct-probe-${process.pid}-${Date.now()}`);
  let fd = -1;
  try {
    fd = openSync(
      path,
      constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_DIRECT,
      0o600,
    );
    return statxOf(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EINVAL')
      throw new DirectUnsupportedError(dir, error);
    return null; // read-only or no permission: fall back to the device
  } finally {
    if (fd >= 0) closeSync(fd);
    rmSync(path, { force: true });
  }
}

/** Opens a non-directory path with O_DIRECT to see whether its filesystem takes it. */
function checkOpens(path: string): void {
  let fd = -1;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_DIRECT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EINVAL')
      throw new DirectUnsupportedError(path, error);
    // EACCES and friends say nothing about O_DIRECT: fall through to statx / the device.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * The O_DIRECT alignment for a file, a directory (its filesystem: a scratch file is created
 * and removed to ask), an fd or a FileHandle. Synchronous, as fs.statSync: statx and sysfs
 * reads (and, for a directory, a scratch file), which may wait for an uncached inode.
 * @throws {DirectUnsupportedError} `ERR_AIO_DIRECT_UNSUPPORTED` when the filesystem refuses
 * O_DIRECT; an AioError (ENOENT, EBADF...) when the path or fd cannot be examined;
 * `ERR_INVALID_ARG_TYPE` / `ERR_OUT_OF_RANGE` for a bad argument.
 * @example const { memory, offset } = directAlignmentSync('/data'); // { 512, 512, 'statx' }
 */
export function directAlignmentSync(
  pathOrFd: string | number | { readonly fd: number },
): DirectAlignment {
  let target: number | string;
  if (typeof pathOrFd === 'string') target = pathOrFd;
  else if (typeof pathOrFd === 'number' || (typeof pathOrFd === 'object' && pathOrFd !== null))
    target = toFd(pathOrFd, 'pathOrFd', 'statx');
  else
    throw new InvalidArgTypeError('pathOrFd', 'a path (string), an fd or a FileHandle', pathOrFd);
  const what = typeof target === 'string' ? target : `fd ${target}`;
  const info = statxOf(target);
  const direct = fromStatx(info, what);
  if (direct !== null) return direct;
  if (typeof target === 'string' && (info.mode & S_IF.MT) === S_IF.DIR) {
    const probed = probeDirectory(target);
    const fromFile = probed === null ? null : fromStatx(probed, what);
    if (fromFile !== null) return fromFile;
  } else if (typeof target === 'string') {
    checkOpens(target);
  }
  return fromDevice(info) ?? FALLBACK;
}

/**
 * directAlignmentSync() behind a Promise.
 * @deprecated It runs synchronously (the name said otherwise): call directAlignmentSync().
 * Kept for one release.
 */
export async function directAlignment(
  pathOrFd: string | number | { readonly fd: number },
): Promise<DirectAlignment> {
  return directAlignmentSync(pathOrFd);
}
