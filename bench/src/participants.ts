// Random-read loops, one per way of doing I/O in this process. Each reads the same list of
// offsets in order (wrapping), returns ops/s over `ms` milliseconds and the latency of a
// sample of its requests (see latency.ts). The other processes (C reference, fio) are in
// external.ts; fs.promises on io_uring runs in peer.ts.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import {
  addressOf,
  IOCB_CMD,
  IocbArray,
  IoEventArray,
  io_destroy,
  io_getevents,
  io_setup,
  io_submit,
  reapRing,
} from '@aio/bind';
import { type AioContext, open as openAio } from '@aio/core';
import { type AioFileForm, aioFileRead } from './aio-file.js';
import { type Latency, LatencySampler, SAMPLE_EVERY } from './latency.js';

export interface ReadLoop {
  path: string;
  direct: boolean;
  qd: number;
  ms: number;
  offsets: Float64Array;
  block: number;
}

/** ops/s of a run, and its sampled latency (null when nothing was sampled). */
export interface ReadResult {
  ops: number;
  latency: Latency | null;
}

/** `count` buffers of `size` bytes aligned to 4096 (each keeps its parent allocation alive). */
export function alignedBuffers(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, () => {
    const raw = Buffer.alloc(size + 4096);
    const off = Number(addressOf(raw) % 4096n);
    return raw.subarray(off === 0 ? 0 : 4096 - off, (off === 0 ? 0 : 4096 - off) + size);
  });
}

export function openFlags(direct: boolean): number {
  return direct ? constants.O_RDONLY | constants.O_DIRECT : constants.O_RDONLY;
}

type Read = (buffer: Buffer, position: number) => Promise<unknown>;

/** `qd` async loops, each awaiting `read` at the next offset until time is up. */
async function promiseLoops(o: ReadLoop, read: Read): Promise<ReadResult> {
  const buffers = alignedBuffers(o.qd, o.block);
  const sampler = new LatencySampler();
  let next = 0;
  let done = 0;
  const end = performance.now() + o.ms;
  const start = performance.now();
  await Promise.all(
    buffers.map(async (buffer) => {
      while (performance.now() < end) {
        const at = o.offsets[next % o.offsets.length]!;
        if (next++ % SAMPLE_EVERY === 0) {
          const t0 = performance.now();
          await read(buffer, at);
          sampler.add(performance.now() - t0);
        } else await read(buffer, at);
        done++;
      }
    }),
  );
  return { ops: done / ((performance.now() - start) / 1000), latency: sampler.summary() };
}

async function withHandle<T>(o: ReadLoop, run: (fh: FileHandle) => Promise<T>): Promise<T> {
  const fh = await open(o.path, openFlags(o.direct));
  try {
    return await run(fh);
  } finally {
    await fh.close();
  }
}

/** @aio/core Promise API: `qd` async loops each awaiting ctx.read on a FileHandle. */
export function coreReads(o: ReadLoop, ctx: AioContext): Promise<ReadResult> {
  return withHandle(o, (fh) => promiseLoops(o, (b, at) => ctx.read(fh, b, at)));
}

/** fs.promises: `qd` async loops each awaiting FileHandle.read (libuv threadpool). */
export function fsPromisesReads(o: ReadLoop): Promise<ReadResult> {
  return withHandle(o, (fh) => promiseLoops(o, (b, at) => fh.read(b, 0, o.block, at)));
}

/** @aio/core AioFile (open() with direct as the case): `qd` loops awaiting file.read. */
export async function aioFileReads(
  o: ReadLoop,
  ctx: AioContext,
  form: AioFileForm,
): Promise<ReadResult> {
  const file = await openAio(o.path, 'r', { direct: o.direct, context: ctx });
  const read = aioFileRead(form);
  try {
    return await promiseLoops(o, (b, at) => read(file, b, at));
  } finally {
    await file.close();
  }
}

/**
 * @aio/bind driven synchronously (submit, then wait in io_getevents): the libaio / fio loop in
 * this process, the ceiling a Promise-per-read loop on the event loop can approach.
 */
export function bindSyncReads(o: ReadLoop): ReadResult {
  const fd = openSync(o.path, openFlags(o.direct));
  const ctx = io_setup(o.qd * 2);
  const table = new IocbArray(o.qd);
  const events = new IoEventArray(o.qd);
  const pointers = new BigUint64Array(o.qd);
  const buffers = alignedBuffers(o.qd, o.block); // referenced until io_destroy below
  const addresses = buffers.map((b) => addressOf(b));
  const issued = new Float64Array(o.qd); // submit time of a sampled slot, else 0
  const sampler = new LatencySampler();
  let next = 0;
  let done = 0;
  let seq = 0;
  const prepare = (slot: number, now: number) => {
    const at = o.offsets[next++ % o.offsets.length]!;
    table.prepare(slot, IOCB_CMD.PREAD, fd, addresses[slot]!, o.block, at, slot);
    issued[slot] = seq++ % SAMPLE_EVERY === 0 ? now : 0;
  };
  try {
    const t = performance.now();
    for (let i = 0; i < o.qd; i++) prepare(i, t);
    io_submit(ctx, table.addresses, o.qd);
    const end = performance.now() + o.ms;
    const start = performance.now();
    while (performance.now() < end) {
      let n = reapRing(ctx, events.bytes, o.qd);
      if (n === 0) n = io_getevents(ctx, 1, o.qd, events.bytes, null);
      const now = performance.now();
      for (let j = 0; j < n; j++) {
        const slot = events.dataNumber(j);
        if (issued[slot]! > 0) sampler.add(now - issued[slot]!);
        prepare(slot, now);
        pointers[j] = table.addresses[slot]!;
      }
      io_submit(ctx, pointers, n);
      done += n;
    }
    return { ops: done / ((performance.now() - start) / 1000), latency: sampler.summary() };
  } finally {
    io_destroy(ctx); // waits for the requests still in flight: buffers are still referenced
    closeSync(fd);
    buffers.length = 0;
  }
}

/** fs.readSync in a loop: one request at a time on the main thread (QD1 only). */
export function readSyncReads(o: ReadLoop): ReadResult {
  const fd = openSync(o.path, openFlags(o.direct));
  const [buffer] = alignedBuffers(1, o.block);
  const sampler = new LatencySampler();
  let next = 0;
  let done = 0;
  try {
    const end = performance.now() + o.ms;
    const start = performance.now();
    while (performance.now() < end) {
      const at = o.offsets[next % o.offsets.length]!;
      if (next++ % SAMPLE_EVERY === 0) {
        const t0 = performance.now();
        readSync(fd, buffer!, 0, o.block, at);
        sampler.add(performance.now() - t0);
      } else readSync(fd, buffer!, 0, o.block, at);
      done++;
    }
    return { ops: done / ((performance.now() - start) / 1000), latency: sampler.summary() };
  } finally {
    closeSync(fd);
  }
}
