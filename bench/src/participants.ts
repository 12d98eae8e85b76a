// Random 4 KiB read loops, one per way of doing I/O, measured in the same process. Each takes
// the same precomputed offsets and returns ops/s over `ms` milliseconds.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
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
import type { AioContext } from '@aio/core';

export interface ReadLoop {
  path: string;
  direct: boolean;
  qd: number;
  ms: number;
  offsets: Float64Array;
  block: number;
}

/** `count` buffers of `size` bytes aligned to 4096 (each keeps its parent allocation alive). */
export function alignedBuffers(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, () => {
    const raw = Buffer.alloc(size + 4096);
    const off = Number(addressOf(raw) % 4096n);
    return raw.subarray(off === 0 ? 0 : 4096 - off, (off === 0 ? 0 : 4096 - off) + size);
  });
}

function flags(direct: boolean): number {
  return direct ? constants.O_RDONLY | constants.O_DIRECT : constants.O_RDONLY;
}

/** @aio/core Promise API: `qd` async loops each awaiting ctx.read on a FileHandle. */
export async function coreReads(o: ReadLoop, ctx: AioContext): Promise<number> {
  const fh = await open(o.path, flags(o.direct));
  const buffers = alignedBuffers(o.qd, o.block);
  let next = 0;
  let done = 0;
  const end = performance.now() + o.ms;
  const start = performance.now();
  await Promise.all(
    buffers.map(async (buffer) => {
      while (performance.now() < end) {
        await ctx.read(fh, buffer, o.offsets[next++ % o.offsets.length]!);
        done++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await fh.close();
  return done / seconds;
}

/** fs.promises: `qd` async loops each awaiting FileHandle.read (libuv threadpool). */
export async function fsPromisesReads(o: ReadLoop): Promise<number> {
  const fh = await open(o.path, flags(o.direct));
  const buffers = alignedBuffers(o.qd, o.block);
  let next = 0;
  let done = 0;
  const end = performance.now() + o.ms;
  const start = performance.now();
  await Promise.all(
    buffers.map(async (buffer) => {
      while (performance.now() < end) {
        await fh.read(buffer, 0, o.block, o.offsets[next++ % o.offsets.length]!);
        done++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await fh.close();
  return done / seconds;
}

/**
 * @aio/bind driven synchronously (submit, then wait in io_getevents): the libaio / fio loop in
 * this process, the ceiling a Promise-per-read loop on the event loop can approach.
 */
export function bindSyncReads(o: ReadLoop): number {
  const fd = openSync(o.path, flags(o.direct));
  const ctx = io_setup(o.qd * 2);
  const table = new IocbArray(o.qd);
  const events = new IoEventArray(o.qd);
  const pointers = new BigUint64Array(o.qd);
  const buffers = alignedBuffers(o.qd, o.block); // referenced until io_destroy below
  const addresses = buffers.map((b) => addressOf(b));
  let next = 0;
  let done = 0;
  try {
    for (let i = 0; i < o.qd; i++) {
      table.prepare(
        i,
        IOCB_CMD.PREAD,
        fd,
        addresses[i]!,
        o.block,
        o.offsets[next++ % o.offsets.length]!,
        i,
      );
    }
    io_submit(ctx, table.addresses, o.qd);
    const end = performance.now() + o.ms;
    const start = performance.now();
    while (performance.now() < end) {
      let n = reapRing(ctx, events.bytes, o.qd);
      if (n === 0) n = io_getevents(ctx, 1, o.qd, events.bytes, null);
      for (let j = 0; j < n; j++) {
        const slot = events.dataNumber(j);
        table.prepare(
          slot,
          IOCB_CMD.PREAD,
          fd,
          addresses[slot]!,
          o.block,
          o.offsets[next++ % o.offsets.length]!,
          slot,
        );
        pointers[j] = table.addresses[slot]!;
      }
      io_submit(ctx, pointers, n);
      done += n;
    }
    return done / ((performance.now() - start) / 1000);
  } finally {
    io_destroy(ctx); // waits for the requests still in flight: buffers are still referenced
    closeSync(fd);
    buffers.length = 0;
  }
}

/** fio --ioengine=libaio on the same file, or null when fio is not installed. */
export function fioReads(o: ReadLoop): number | null {
  try {
    const out = execFileSync(
      'fio',
      [
        '--name=bench',
        `--filename=${o.path}`,
        '--rw=randread',
        `--bs=${o.block}`,
        '--ioengine=libaio',
        `--direct=${o.direct ? 1 : 0}`,
        `--iodepth=${o.qd}`,
        `--runtime=${Math.max(1, Math.round(o.ms / 1000))}`,
        '--time_based',
        '--output-format=json',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return JSON.parse(out.toString()).jobs[0].read.iops as number;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
