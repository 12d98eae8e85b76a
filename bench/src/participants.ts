// Random 4 KiB read loops, one per way of doing I/O, measured in the same process. Each takes
// the same precomputed offsets and returns ops/s over `ms` milliseconds.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

type PromiseRead = (fh: FileHandle, buffer: Buffer, position: number) => Promise<unknown>;

/** `qd` async loops, each awaiting `read` at the next random offset until time is up: ops/s. */
async function randomReads(o: ReadLoop, read: PromiseRead): Promise<number> {
  const fh = await open(o.path, flags(o.direct));
  const buffers = alignedBuffers(o.qd, o.block);
  let next = 0;
  let done = 0;
  const end = performance.now() + o.ms;
  const start = performance.now();
  await Promise.all(
    buffers.map(async (buffer) => {
      while (performance.now() < end) {
        await read(fh, buffer, o.offsets[next++ % o.offsets.length]!);
        done++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await fh.close();
  return done / seconds;
}

/** @aio/core Promise API: `qd` async loops each awaiting ctx.read on a FileHandle. */
export function coreReads(o: ReadLoop, ctx: AioContext): Promise<number> {
  return randomReads(o, (fh, buffer, at) => ctx.read(fh, buffer, at));
}

/** fs.promises: `qd` async loops each awaiting FileHandle.read (libuv threadpool). */
export function fsPromisesReads(o: ReadLoop): Promise<number> {
  return randomReads(o, (fh, buffer, at) => fh.read(buffer, 0, o.block, at));
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

/** fs.readSync in a loop: one request at a time on the main thread (QD1 only). */
export function readSyncReads(o: ReadLoop): number {
  const fd = openSync(o.path, flags(o.direct));
  const [buffer] = alignedBuffers(1, o.block);
  let next = 0;
  let done = 0;
  try {
    const end = performance.now() + o.ms;
    const start = performance.now();
    while (performance.now() < end) {
      readSync(fd, buffer!, 0, o.block, o.offsets[next++ % o.offsets.length]!);
      done++;
    }
    return done / ((performance.now() - start) / 1000);
  } finally {
    closeSync(fd);
  }
}

const here = dirname(fileURLToPath(import.meta.url));
let cReference: string | null | undefined;

/** Compiles bench/c/aio-ref.c with the system cc once; null (with a message) when there is none. */
export function compileReference(log: (line: string) => void): string | null {
  if (cReference !== undefined) return cReference;
  const out = join(here, '..', '.work', 'aio-ref');
  try {
    mkdirSync(dirname(out), { recursive: true });
    execFileSync('cc', ['-O2', '-o', out, join(here, '..', 'c', 'aio-ref.c')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    cReference = out;
  } catch (error) {
    log(
      `[iops] no C reference: cannot compile bench/c/aio-ref.c with cc (${(error as Error).message.split('\n')[0]})`,
    );
    cReference = null;
  }
  return cReference;
}

/** The C reference loop, or null when it could not be compiled. */
export function cReferenceReads(o: ReadLoop): number | null {
  if (!cReference) return null;
  const out = execFileSync(cReference, [
    o.path,
    o.direct ? '1' : '0',
    String(o.qd),
    String(o.ms / 1000),
  ]);
  return JSON.parse(out.toString()).opsPerSecond as number;
}

/** Whether fio is on the PATH (checked once; the caller says so when it is not). */
export function hasFio(): boolean {
  try {
    execFileSync('fio', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Sequential read of the whole file in `chunk` requests, `inFlight` at once: MB/s. */
async function sequentialReads(
  path: string,
  direct: boolean,
  chunk: number,
  inFlight: number,
  read: PromiseRead,
): Promise<number> {
  const fh = await open(path, flags(direct));
  const size = (await fh.stat()).size;
  const buffers = alignedBuffers(inFlight, chunk);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    buffers.map(async (buffer) => {
      for (let at = next; at < size; at = next) {
        next += chunk;
        await read(fh, buffer, at);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  await fh.close();
  return size / 1e6 / seconds;
}

/** sequentialReads through @aio/core. */
export function coreSequential(
  path: string,
  direct: boolean,
  chunk: number,
  inFlight: number,
  ctx: AioContext,
): Promise<number> {
  return sequentialReads(path, direct, chunk, inFlight, (fh, b, at) => ctx.read(fh, b, at));
}

/** The same with fs.promises FileHandle.read. */
export function fsPromisesSequential(
  path: string,
  direct: boolean,
  chunk: number,
  inFlight: number,
): Promise<number> {
  return sequentialReads(path, direct, chunk, inFlight, (fh, b, at) => fh.read(b, 0, chunk, at));
}

/** fio sequential read, MB/s, or null without fio. */
export function fioSequential(
  path: string,
  direct: boolean,
  chunk: number,
  inFlight: number,
): number | null {
  if (!hasFio()) return null;
  const out = execFileSync(
    'fio',
    // --invalidate=0: fio drops the file from the page cache first by default, which would make
    // its buffered run a disk read while the others read from the cache.
    [
      '--name=seq',
      `--filename=${path}`,
      '--rw=read',
      `--bs=${chunk}`,
      '--ioengine=libaio',
      `--direct=${direct ? 1 : 0}`,
      `--iodepth=${inFlight}`,
      '--invalidate=0',
      '--output-format=json',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return (JSON.parse(out.toString()).jobs[0].read.bw_bytes as number) / 1e6;
}
