// Sequential read of a whole file in `chunk` requests, `inFlight` at once: MB/s. The same
// loop for @aio/core and fs.promises (fio's is in external.ts).
import { type FileHandle, open } from 'node:fs/promises';
import type { AioContext } from '@aio/core';
import { alignedBuffers, openFlags } from './participants.js';

export interface SequentialRead {
  path: string;
  direct: boolean;
  chunk: number;
  inFlight: number;
}

type Read = (fh: FileHandle, b: Buffer, at: number) => Promise<unknown>;

async function sequentialReads(s: SequentialRead, read: Read): Promise<number> {
  const fh = await open(s.path, openFlags(s.direct));
  try {
    const size = (await fh.stat()).size;
    const buffers = alignedBuffers(s.inFlight, s.chunk);
    let next = 0;
    const start = performance.now();
    await Promise.all(
      buffers.map(async (buffer) => {
        for (let at = next; at < size; at = next) {
          next += s.chunk;
          await read(fh, buffer, at);
        }
      }),
    );
    return size / 1e6 / ((performance.now() - start) / 1000);
  } finally {
    await fh.close();
  }
}

/** sequentialReads through @aio/core's ctx.read. */
export function coreSequential(s: SequentialRead, ctx: AioContext): Promise<number> {
  return sequentialReads(s, (fh, b, at) => ctx.read(fh, b, at));
}

/** The same with fs.promises FileHandle.read. */
export function fsPromisesSequential(s: SequentialRead): Promise<number> {
  return sequentialReads(s, (fh, b, at) => fh.read(b, 0, s.chunk, at));
}
