// One worker thread of `pnpm bench workers`: random 4 KiB reads of the large file, `depth`
// at a time, for a fixed time, through its own AioContext or through fs.promises. It loads,
// opens and posts 'ready', waits for 'go' (so that all workers run over the same window), posts
// its count, then closes its FileHandle and its context before it exits: module state is per
// thread, and a context left open would keep its kernel ring after the worker is gone.
import { type FileHandle, open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { AioContext } from '@aio/core';
import { permutation } from './http-files.js';

export interface WorkerJob {
  io: 'aio' | 'fs';
  path: string;
  seconds: number;
  depth: number;
  block: number;
  /** This worker's index and the number of workers: each reads its own share of the blocks. */
  index: number;
  of: number;
}

export type WorkerMessage = { ready: true } | { ops: number; seconds: number };

/** This worker's blocks in a random order: no block twice, none shared with another worker. */
function offsets(job: WorkerJob, size: number): Float64Array {
  const share = Math.floor(size / job.block / job.of);
  const order = permutation(share, 1000 + job.index);
  return Float64Array.from(order, (k) => (k * job.of + job.index) * job.block);
}

async function readFor(
  job: WorkerJob,
  fh: FileHandle,
  at: Float64Array,
  read: (fh: FileHandle, b: Buffer, p: number) => Promise<unknown>,
): Promise<WorkerMessage> {
  let next = 0;
  let done = 0;
  const start = performance.now();
  const end = start + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.depth }, async () => {
      const buffer = Buffer.allocUnsafe(job.block);
      while (performance.now() < end) {
        await read(fh, buffer, at[next++ % at.length]!);
        done++;
      }
    }),
  );
  return { ops: done, seconds: (performance.now() - start) / 1000 };
}

async function main(job: WorkerJob): Promise<void> {
  const port = parentPort!;
  const fh = await open(job.path, 'r');
  const ctx = job.io === 'aio' ? new AioContext() : null;
  try {
    const at = offsets(job, (await fh.stat()).size);
    const go = new Promise((resolve) => port.once('message', resolve));
    port.postMessage({ ready: true } satisfies WorkerMessage);
    await go;
    const result = ctx
      ? await readFor(job, fh, at, (h, b, p) => ctx.read(h, b, p))
      : await readFor(job, fh, at, (h, b, p) => h.read(b, 0, b.length, p));
    port.postMessage(result);
  } finally {
    await ctx?.close();
    await fh.close();
  }
}

if (parentPort !== null) {
  main(workerData as WorkerJob).catch((error: unknown) => {
    // Rethrown outside the promise chain: the worker dies with an 'error' event in the parent.
    setImmediate(() => {
      throw error;
    });
  });
}
