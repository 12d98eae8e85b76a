// Reads and writes of an O_DIRECT file at any address, position and length. Aligned requests
// go straight to the kernel. Others go through an aligned bounce buffer covering whole blocks:
// a read copies the wanted bytes out of it; a write first reads the partial blocks at its
// edges, copies the data in, writes the blocks back (alone, under the file's write lock), and
// trims the file if the last block ran past the new end of file.
import type { FileHandle } from 'node:fs/promises';
import { alignDown, alignUp, allocAligned, isAlignedView } from './aligned.js';
import type { AioContext } from './context.js';
import type { DirectAlignment } from './direct.js';
import type { WriteLock } from './lock.js';
import type { RequestOptions } from './validate.js';

/** What the direct paths need of a file. */
export interface DirectFile {
  readonly context: AioContext;
  readonly handle: FileHandle;
  readonly alignment: DirectAlignment;
  readonly lock: WriteLock;
}

function isAligned(a: DirectAlignment, view: ArrayBufferView, position: number): boolean {
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
  handle: FileHandle,
  view: Uint8Array,
  position: number,
  options?: RequestOptions,
  block = 1,
): Promise<number> {
  return readAll((v, p) => ctx.read(handle, v, p, options), view, position, block);
}

/** Writes all of `view` at `position` (a short write is continued, never returned). */
export async function writeFully(
  ctx: AioContext,
  handle: FileHandle,
  view: Uint8Array,
  position: number,
  options?: RequestOptions,
): Promise<number> {
  let done = 0;
  while (done < view.byteLength) {
    done += await ctx.write(handle, view.subarray(done), position + done, options);
  }
  return done;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** An O_DIRECT read of any alignment; returns the bytes read (fewer at end of file). */
export async function directRead(
  f: DirectFile,
  view: ArrayBufferView,
  position: number,
  options?: RequestOptions,
): Promise<number> {
  const a = f.alignment;
  if (view.byteLength === 0) return 0;
  if (isAligned(a, view, position)) return f.context.read(f.handle, view, position, options);
  const block = blockOf(a);
  const start = alignDown(position, block);
  const end = alignUp(position + view.byteLength, block);
  const bounce = allocAligned(end - start, block);
  const got = await readFully(f.context, f.handle, bounce, start, options, block);
  const available = Math.max(0, Math.min(got - (position - start), view.byteLength));
  bytesOf(view).set(bounce.subarray(position - start, position - start + available));
  return available;
}

/** An O_DIRECT write of any alignment; returns view.byteLength (short writes are continued). */
export function directWrite(
  f: DirectFile,
  view: ArrayBufferView,
  position: number,
  options?: RequestOptions,
): Promise<number> {
  const a = f.alignment;
  // Nothing to write changes nothing: no block is rewritten, the size stays (as pwrite(2)).
  if (view.byteLength === 0) return Promise.resolve(0);
  if (isAligned(a, view, position)) {
    return f.lock.shared(() => writeFully(f.context, f.handle, bytesOf(view), position, options));
  }
  return f.lock.exclusive(async () => {
    const block = blockOf(a);
    const start = alignDown(position, block);
    const end = alignUp(position + view.byteLength, block);
    const bounce = allocAligned(end - start, block);
    const sizeBefore = (await f.handle.stat()).size;
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
    bounce.set(bytesOf(view), position - start);
    await writeFully(f.context, f.handle, bounce, start, options);
    const newSize = Math.max(sizeBefore, position + view.byteLength);
    if (end > newSize) await f.handle.truncate(newSize);
    return view.byteLength;
  });
}
