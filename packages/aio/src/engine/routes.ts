// Where a read or write goes first, decided when it leaves the queue. The rule: nothing the
// event loop's thread does may wait for a device. Measured here (2-vCPU VM, ext4 on virtio):
// - A buffered read with RWF_NOWAIT never waits: a hit completes inside io_submit (a 4 KiB
//   one in ~3 µs), a miss answers EAGAIN after starting the readahead. So reads go to the
//   kernel with RWF_NOWAIT, except large buffered ones: copying 1 MiB takes the main thread
//   100-250 µs, and on the threadpool the copy runs on another core (node:fs's 1 MiB-chunk
//   read stream was 1.5-2x ours when we copied inline).
// - O_DIRECT transfers are asynchronous, except that ext4 runs a write that extends the file
//   or fills a hole inside io_submit (1.4 ms for 1 MiB here); with RWF_NOWAIT it answers
//   EAGAIN at once instead, and then goes to the threadpool.
// - ext4 refuses RWF_NOWAIT on buffered writes, and a buffered write can wait: for the read
//   of a page it only partly overwrites (41 µs p50 here, a seek on a disk), for dirty-page
//   throttling, for the journal. A small write stays inline only when the pages it partly
//   covers are cached (cachestat) and no inline write was slow lately; the rest runs on the
//   threadpool.
import { errnoException, RWF } from '@aio/bind';
import { cachedPages, pageSize } from '@aio/bind/internal';
import { isRead, isTransfer } from '../opcodes.js';
import { refusedSyscall } from './failures.js';
import { type FdInfo, seekable, sizeOf, TYPE_DIR } from './fd-info.js';
import type { EngineHost } from './host.js';
import {
  type Op,
  PHASE_KERNEL,
  PHASE_KERNEL_LANE,
  PHASE_LANE,
  PHASE_POLL,
  SETTLE_MANUAL,
} from './op.js';

const EISDIR = 21;

/** Buffered reads from this size go to the threadpool (the copy runs on another core). */
export const LANE_READ_MIN = 256 * 1024;
/** Buffered writes from this size go to the threadpool. */
export const LANE_WRITE_MIN = 128 * 1024;
/** An inline io_submit of writes that took longer than this makes writes go to the pool... */
export const SLOW_SUBMIT_MS = 2;
/** ...for this long. */
export const SLOW_COOLDOWN_MS = 1000;

/** Flags node:fs cannot pass: a write with them goes to the kernel lane, not node:fs. */
const KERNEL_ONLY = RWF.DSYNC | RWF.SYNC | RWF.HIPRI | RWF.NOAPPEND | RWF.ATOMIC | RWF.DONTCACHE;

/** Whether `info` is a regular file or block device read through the page cache. */
export function isBuffered(info: FdInfo): boolean {
  return seekable(info) && !info.direct;
}

/** Whether node:fs can run `op` on the threadpool as asked (flags, priority, append). */
export function laneCanRun(op: Op, info: FdInfo | null): boolean {
  if (op.ioprio >= 0 || (op.rwFlags & KERNEL_ONLY) !== 0 || op.bigPosition !== null) return false;
  // RWF_APPEND on an fd without O_APPEND: only the kernel can place it at the end.
  return (op.rwFlags & RWF.APPEND) === 0 || info?.append === true;
}

/** Whether the page at `page` must be read before a partial overwrite of it. */
function needsRead(fd: number, page: number, size: { value: number }): boolean {
  const cached = cachedPages(fd, page, pageSize());
  if (cached > 0) return false;
  if (cached < 0) return true; // cachestat unavailable: assume the worst
  if (size.value === -2) size.value = sizeOf(fd);
  return size.value < 0 || page < size.value; // a page at or past the end is just zeroed
}

/**
 * Whether a buffered write of `length` bytes at `start` (the end of file when appending) can
 * run inside io_submit without waiting for a device read: it starts and ends on page
 * boundaries, or the pages it partly covers are cached (or lie past the end of file).
 */
export function writeEdgesCached(
  fd: number,
  start: number,
  length: number,
  append: boolean,
): boolean {
  if (length === 0) return true;
  const size = { value: -2 };
  let at = start;
  if (append) {
    size.value = sizeOf(fd);
    if (size.value < 0) return false;
    at = size.value;
  }
  const page = pageSize();
  const end = at + length;
  const head = at % page === 0 ? -1 : at - (at % page);
  const tail = end % page === 0 ? -1 : end - (end % page);
  if (head >= 0 && needsRead(fd, head, size)) return false;
  return tail < 0 || tail === head || !needsRead(fd, tail, size);
}

/** Whether every page of [position, position + length) is in the page cache (cachestat). */
export function fullyCached(fd: number, position: number, length: number): boolean {
  const page = pageSize();
  const first = position - (position % page);
  const pages = Math.ceil((position + length - first) / page);
  try {
    return cachedPages(fd, first, pages * page) >= pages;
  } catch {
    return false;
  }
}

/** The route of a read: RWF_NOWAIT to the kernel, or straight to the threadpool. */
function routeRead(engine: EngineHost, op: Op): number {
  const manual = op.settle === SETTLE_MANUAL;
  if ((op.rwFlags & RWF.NOWAIT) !== 0) {
    op.silent = engine.fds.readsInline(op.fd, op.file); // the caller's own NOWAIT: no punting
    return PHASE_KERNEL;
  }
  let info: FdInfo | null = op.file !== null ? engine.fds.info(op.fd, op.file) : null;
  let inline: boolean;
  if (info !== null) {
    if (info.type === TYPE_DIR) throw errnoException(EISDIR, refusedSyscall(op), { fd: op.fd });
    op.seekable = seekable(info);
    if (info.noNowait) return op.seekable ? PHASE_LANE : PHASE_POLL;
    inline = !info.completesLater;
  } else {
    inline = engine.fds.readsInline(op.fd, null);
  }
  if (op.length >= LANE_READ_MIN && inline && !manual && !engine.blocking) {
    info ??= engine.fds.info(op.fd, null);
    if (isBuffered(info) && laneCanRun(op, info)) {
      op.seekable = true;
      op.copy = fullyCached(op.fd, op.position, op.length);
      return PHASE_LANE;
    }
  }
  op.nowait = true;
  op.silent = inline;
  return PHASE_KERNEL;
}

/** The route of a write (its file is classified: ext4 takes no RWF_NOWAIT on buffered writes). */
function routeWrite(engine: EngineHost, op: Op): number {
  if ((op.rwFlags & RWF.NOWAIT) !== 0) return PHASE_KERNEL;
  const info = engine.fds.info(op.fd, op.file);
  if (info.type === TYPE_DIR) throw errnoException(EISDIR, refusedSyscall(op), { fd: op.fd });
  op.seekable = seekable(info);
  if (!op.seekable) {
    if (info.noNowait) return PHASE_POLL;
    op.nowait = true;
    return PHASE_KERNEL;
  }
  if (info.direct) {
    op.nowait = true; // an extending or hole-filling O_DIRECT write would wait in io_submit
    return PHASE_KERNEL;
  }
  if (engine.blocking) {
    op.silent = true;
    return PHASE_KERNEL;
  }
  const append = info.append || (op.rwFlags & RWF.APPEND) !== 0;
  const mayWait =
    op.length >= LANE_WRITE_MIN ||
    (op.rwFlags & (RWF.DSYNC | RWF.SYNC)) !== 0 ||
    op.bigPosition !== null ||
    engine.writesSlow ||
    !writeEdgesCached(op.fd, op.position, op.length, append);
  if (!mayWait) {
    op.silent = true; // completes inside io_submit
    return PHASE_KERNEL;
  }
  op.copy = true; // into the page cache: CPU-bound
  return op.settle === SETTLE_MANUAL || !laneCanRun(op, info) ? PHASE_KERNEL_LANE : PHASE_LANE;
}

/** Decides where a fresh op goes first. @throws {AioError} EBADF, EISDIR. */
export function route(engine: EngineHost, op: Op): number {
  op.nowait = false;
  op.silent = false;
  if (!isTransfer(op.cmd)) return PHASE_KERNEL;
  return isRead(op.cmd) ? routeRead(engine, op) : routeWrite(engine, op);
}
