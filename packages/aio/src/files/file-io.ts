// The transfers of an AioFile at explicit positions, on views the file layer made (never the
// caller's objects). Buffered requests go to the context as they are; O_DIRECT ones through
// direct-io.ts. One iocb moves at most MAX_RW_COUNT bytes, so a longer read of a regular file
// or block device is continued until it is complete or reaches the end of file, and writes are
// always continued until complete. readv / writev over more than IOV_MAX buffers, or over more
// than MAX_RW_COUNT bytes, are split into requests that fit.
import { errnoException, IOV_MAX, OutOfRangeError, RWF, S_IF } from '@aio/bind';
import type { AioContext } from '../context/context.js';
import { MisalignedError } from '../errors.js';
import type { RequestOptions } from '../validate.js';
import { type DirectFile, directRead, directWrite, writeFully } from './direct-io.js';
import { MAX_RW_COUNT } from './file-args.js';

const EISDIR = 21;

/** What the transfers need of an open file. */
export interface FileCore {
  readonly context: AioContext;
  /** What the context is given: a FileHandle or an `{ fd }` object (its type is cached). */
  readonly target: { readonly fd: number };
  /** st_mode & S_IFMT of the open file. */
  readonly type: number;
  /** Set for an O_DIRECT file. */
  readonly direct: DirectFile | null;
  /** Opened O_APPEND: writes go to the end of file (RWF_APPEND), whatever the position. */
  readonly append: boolean;
}

type At = number | bigint;

function plus(position: At, n: number): At {
  return typeof position === 'bigint' ? position + BigInt(n) : position + n;
}

/** A safe-integer position for the O_DIRECT paths (alignment arithmetic is on numbers). */
function safePosition(position: At): number {
  if (typeof position === 'number') return position;
  if (position > BigInt(Number.MAX_SAFE_INTEGER))
    throw new OutOfRangeError('position', '<= 2 ** 53 - 1 on an O_DIRECT file', position);
  return Number(position);
}

/** Whether a short transfer there means end of file (true) or just a short call (pipes...). */
function seekable(core: FileCore): boolean {
  return core.type === S_IF.REG || core.type === S_IF.BLK;
}

/** Reads into `bytes` at `position`; resolves the bytes read (fewer only at end of file). */
export async function readAt(
  core: FileCore,
  bytes: Uint8Array,
  position: At,
  options?: RequestOptions,
): Promise<number> {
  // node:fs reports a read of a directory as read(2) does; the kernel's AIO says EINVAL.
  if (core.type === S_IF.DIR) throw errnoException(EISDIR, 'read', { fd: core.target.fd });
  if (core.direct !== null) return directRead(core.direct, bytes, safePosition(position), options);
  if (bytes.byteLength <= MAX_RW_COUNT || !seekable(core))
    return core.context.read(core.target, bytes, position, options);
  let done = 0;
  while (done < bytes.byteLength) {
    const want = Math.min(bytes.byteLength - done, MAX_RW_COUNT);
    const n = await core.context.read(
      core.target,
      bytes.subarray(done, done + want),
      plus(position, done),
      options,
    );
    done += n;
    if (n < want) break; // end of file
  }
  return done;
}

/** Writes all of `bytes` at `position` (at the end of file in append mode); resolves its length. */
export async function writeAt(
  core: FileCore,
  bytes: Uint8Array,
  position: At,
  options?: RequestOptions,
): Promise<number> {
  if (core.append) return appendAll(core, bytes, options);
  if (core.direct !== null) return directWrite(core.direct, bytes, safePosition(position), options);
  return writeFully(core.context, core.target, bytes, position, options);
}

async function appendAll(
  core: FileCore,
  bytes: Uint8Array,
  options?: RequestOptions,
): Promise<number> {
  const flags = { ...options, rwFlags: (options?.rwFlags ?? 0) | RWF.APPEND };
  const d = core.direct;
  if (d === null) return writeFully(core.context, core.target, bytes, 0, flags);
  // The end of file is the position: it must be aligned, and so must the data.
  const fd = core.target.fd;
  const size = await d.size();
  if (size % d.alignment.offset !== 0)
    throw new MisalignedError('position', size, d.alignment.offset, {
      syscall: 'IOCB_CMD_PWRITE',
      fd,
    });
  if (bytes.byteLength % d.alignment.offset !== 0) {
    throw new MisalignedError('length', bytes.byteLength, d.alignment.offset, {
      syscall: 'IOCB_CMD_PWRITE',
      fd,
    });
  }
  return d.lock.shared(() => writeFully(core.context, core.target, bytes, 0, flags));
}

/** Consecutive runs of views that fit one iocb: at most IOV_MAX views and MAX_RW_COUNT bytes. */
function groups(views: readonly Uint8Array[]): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  let group: Uint8Array[] = [];
  let bytes = 0;
  for (const view of views) {
    if (group.length === IOV_MAX || (group.length > 0 && bytes + view.byteLength > MAX_RW_COUNT)) {
      out.push(group);
      group = [];
      bytes = 0;
    }
    group.push(view);
    bytes += view.byteLength;
  }
  if (group.length > 0) out.push(group);
  return out;
}

function join(views: readonly Uint8Array[], total: number): Buffer {
  return Buffer.concat(views, total);
}

function totalOf(views: readonly Uint8Array[]): number {
  let total = 0;
  for (const view of views) total += view.byteLength;
  return total;
}

/** Reads into `views` in order from `position`; resolves the bytes read. */
export async function readvAt(
  core: FileCore,
  views: readonly Uint8Array[],
  total: number,
  position: At,
  options?: RequestOptions,
): Promise<number> {
  if (core.type === S_IF.DIR) throw errnoException(EISDIR, 'read', { fd: core.target.fd });
  if (core.direct !== null) {
    const joined = Buffer.alloc(total);
    const got = await directRead(core.direct, joined, safePosition(position), options);
    let at = 0;
    for (const view of views) {
      if (at >= got) break;
      const n = Math.min(view.byteLength, got - at); // 0 for an empty buffer: skip it, go on
      view.set(joined.subarray(at, at + n));
      at += n;
    }
    return got;
  }
  if (views.length <= IOV_MAX && total <= MAX_RW_COUNT)
    return core.context.readv(core.target, views, position, options);
  let done = 0;
  for (const group of groups(views)) {
    const want = totalOf(group);
    const n =
      group.length === 1
        ? await readAt(core, group[0]!, plus(position, done), options)
        : await core.context.readv(core.target, group, plus(position, done), options);
    done += n;
    if (n < want) break;
  }
  return done;
}

/** Writes `views` in order at `position` (at the end in append mode); resolves their total. */
export async function writevAt(
  core: FileCore,
  views: readonly Uint8Array[],
  total: number,
  position: At,
  options?: RequestOptions,
): Promise<number> {
  if (core.direct !== null || core.append)
    return writeAt(core, join(views, total), position, options);
  let done = 0;
  for (const group of groups(views)) {
    const want = totalOf(group);
    const at = plus(position, done);
    const n = await core.context.writev(core.target, group, at, options);
    // A short writev (the 2 GiB cap, a full disk) is continued from where it stopped.
    if (n < want)
      await writeFully(
        core.context,
        core.target,
        join(group, want).subarray(n),
        plus(at, n),
        options,
      );
    done += want;
  }
  return done;
}
