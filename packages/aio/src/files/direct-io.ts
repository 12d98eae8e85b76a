// Reads and writes of an O_DIRECT file at any address, position and length. Aligned requests
// go straight to the kernel. Others go through an aligned bounce buffer covering whole blocks:
// a read copies the wanted bytes out of it; a write first reads the partial blocks at its
// edges, copies the data in, writes the blocks back (alone, under the file's write lock), and
// trims the file if the last block ran past the new end of file.
import { alignDown, alignUp, allocAligned, isAlignedView } from '../aligned.js';
import type { AioContext } from '../context/context.js';
import type { DirectAlignment } from '../direct.js';
import type { FileLike, RequestOptions } from '../validate.js';
import { MAX_RW_COUNT } from './file-args.js';
import type { WriteLock } from './lock.js';

/** What the direct paths need of a file. */
export interface DirectFile {
  readonly context: AioContext;
  readonly handle: FileLike;
  readonly alignment: DirectAlignment;
  /** The write lock of the file (device and inode), shared by every AioFile on it. */
  readonly lock: WriteLock;
  size(): Promise<number>;
  truncate(length: number): Promise<void>;
}

function isAligned(a: DirectAlignment, view: Uint8Array, position: number): boolean {
  return (
    position % a.offset === 0 && view.byteLength % a.offset === 0 && isAlignedView(view, a.memory)
  );
}

/** The block a bounce buffer is cut in: both alignments hold at every multiple of it. */
function blockOf(a: DirectAlignment): number {
  return Math.max(a.memory, a.offset);
}

type Transfer = (view: Uint8Array, position: number) => Promise<number>;

/**
 * Repeats `read` until `view` is full or end of file: a short result only at end of file. With
 * O_DIRECT (`block` > 1) a short read that is not a whole number of blocks is the end of file:
 * continuing from there would be a misaligned request. (An aligned short read, as at the kernel's
 * 2 GiB limit per call, is continued.)
 */
export async function readAll(
  read: Transfer,
  view: Uint8Array,
  position: number,
  block = 1,
): Promise<number> {
  let done = 0;
  while (done < view.byteLength) {
    const n = await read(view.subarray(done), position + done);
    if (n === 0) break;
    done += n;
    if (n % block !== 0) break;
  }
  return done;
}

/** Reads all of [position, position + view.byteLength) into `view`; short only at end of file. */
export function readFully(
  ctx: AioContext,
  handle: FileLike,
  view: Uint8Array,
  position: number,
  options?: RequestOptions,
  block = 1,
): Promise<number> {
  return readAll((v, p) => ctx.read(handle, v, p, options), view, position, block);
}

/**
 * Writes all of `view` at `position` (a short write is continued, never returned). One iocb
 * moves at most MAX_RW_COUNT bytes: longer views are written in requests of that size.
 */
export async function writeFully(
  ctx: AioContext,
  handle: FileLike,
  view: Uint8Array,
  position: number | bigint,
  options?: RequestOptions,
): Promise<number> {
  const length = view.byteLength;
  if (length === 0) return 0;
  let done = await ctx.write(
    handle,
    length <= MAX_RW_COUNT ? view : view.subarray(0, MAX_RW_COUNT),
    position,
    options,
  );
  while (done < length) {
    const at = typeof position === 'bigint' ? position + BigInt(done) : position + done;
    const end = Math.min(length, done + MAX_RW_COUNT);
    done += await ctx.write(handle, view.subarray(done, end), at, options);
  }
  return done;
}

/**
 * An O_DIRECT read of any alignment into `view` (a view the file layer made, not the
 * caller's); returns the bytes read (fewer only at end of file).
 */
export async function directRead(
  f: DirectFile,
  view: Uint8Array,
  position: number,
  options?: RequestOptions,
): Promise<number> {
  const a = f.alignment;
  const block = blockOf(a);
  if (view.byteLength === 0) return 0;
  if (isAligned(a, view, position)) {
    // One iocb moves at most MAX_RW_COUNT bytes (a multiple of every block size): go on.
    if (view.byteLength <= MAX_RW_COUNT) return f.context.read(f.handle, view, position, options);
    return readFully(f.context, f.handle, view, position, options, block);
  }
  const start = alignDown(position, block);
  const end = alignUp(position + view.byteLength, block);
  const bounce = allocAligned(end - start, block);
  const got = await readFully(f.context, f.handle, bounce, start, options, block);
  const available = Math.max(0, Math.min(got - (position - start), view.byteLength));
  view.set(bounce.subarray(position - start, position - start + available));
  return available;
}

/** An O_DIRECT write of any alignment; returns view.byteLength (short writes are continued). */
export function directWrite(
  f: DirectFile,
  view: Uint8Array,
  position: number,
  options?: RequestOptions,
): Promise<number> {
  const a = f.alignment;
  // Nothing to write changes nothing: no block is rewritten, the size stays (as pwrite(2)).
  if (view.byteLength === 0) return Promise.resolve(0);
  if (isAligned(a, view, position)) {
    return f.lock.shared(() => writeFully(f.context, f.handle, view, position, options));
  }
  return f.lock.exclusive(async () => {
    const block = blockOf(a);
    const start = alignDown(position, block);
    const end = alignUp(position + view.byteLength, block);
    const bounce = allocAligned(end - start, block);
    const sizeBefore = await f.size();
    // The partial blocks at the edges keep their current bytes (zeros past end of file).
    const readBlock = (at: number) =>
      readFully(
        f.context,
        f.handle,
        bounce.subarray(at - start, at - start + block),
        at,
        options,
        block,
      );
    const headPartial = position > start;
    const tailPartial = position + view.byteLength < end;
    const lastBlock = end - block;
    if (headPartial && start < sizeBefore) await readBlock(start);
    if (tailPartial && lastBlock < sizeBefore && !(headPartial && lastBlock === start)) {
      await readBlock(lastBlock);
    }
    bounce.set(view, position - start);
    await writeFully(f.context, f.handle, bounce, start, options);
    const newSize = Math.max(sizeBefore, position + view.byteLength);
    if (end > newSize) await f.truncate(newSize);
    return view.byteLength;
  });
}
