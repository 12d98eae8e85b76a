// One participant of `pnpm bench seed`, in a fresh process: read N small files (opened once,
// before the first round) per round, `rounds` rounds with a 1 ms pause between them, and report
// wall time, peak threads, peak RSS and virtual size, CPU utilisation, per-read latency and the
// event loop (against this process's idle loop, measured first). Cold: the files are evicted
// from the page cache before every round. Page-cache residency is sampled before and after
// every 50th round with mincore (in-process: spawning fincore there would stall the loop being
// measured). Eviction and sampling are left out of the runtime and of the loop metric.
//
//   node dist/seed-worker.cjs '{"participant":"aio-core","files":[...],"rounds":1000,"cold":false,"idleMs":1000}'
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { open as openHandle } from 'node:fs/promises';
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
import { AioContext } from '@aio/core';
import { type Residency, ResidencyLog, residencyOfFds } from './cache.js';
import { idleBaseline, LoopProbe, type LoopStat, loopStat } from './loop.js';
import { fadviseDontNeed } from './native.js';
import { percentile } from './stats.js';
import { ioUringInstances } from './uring.js';

export type SeedParticipant =
  | 'aio-core'
  | 'aio-bind-sync'
  | 'fs-promises'
  | 'fs-promises-16'
  | 'fs-promises-uring'
  | 'read-sync';

export interface SeedRun {
  participant: SeedParticipant;
  files: string[];
  rounds: number;
  /** Evict the files from the page cache before every round. */
  cold: boolean;
  /** How long to measure the idle loop first. */
  idleMs: number;
}

export interface SeedResult {
  participant: SeedParticipant;
  n: number;
  wallSeconds: number;
  threadsPeak: number;
  rssPeakMB: number;
  vmPeakMB: number;
  cpuPercent: number;
  p50us: number;
  p99us: number;
  bytesPerRound: number;
  cold?: boolean;
  loop?: LoopStat;
  /** Residency before and after the sampled rounds. */
  residency?: Residency | null;
  /** io_uring instances the process held at the end (libuv's, under UV_USE_IO_URING=1). */
  uringRings?: number;
}

function status(field: string): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return line ? Number.parseInt(line.split(/\s+/)[1]!, 10) : 0;
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

/** A round reader: reads every file fully, records each read's latency from the round start. */
type Round = (latencies: Float64Array, at: number) => Promise<void> | void;

async function prepare(
  run: SeedRun,
): Promise<{ round: Round; close(): Promise<void> | void; bytes: number; fds: number[] }> {
  const fds = run.files.map((f) => openSync(f, 'r'));
  const sizes = fds.map((fd) => fstatSync(fd).size);
  const buffers = sizes.map((size) => Buffer.alloc(size));
  const bytes = sizes.reduce((a, b) => a + b, 0);
  const closeFds = () => {
    for (const fd of fds) closeSync(fd);
  };
  switch (run.participant) {
    case 'aio-core': {
      const ctx = new AioContext({ maxRequests: 64 });
      // { fd } objects: their file type is checked once (a raw number is checked per flush).
      const files = fds.map((fd) => ({ fd }));
      const round: Round = async (lat, at) => {
        const t0 = performance.now();
        await Promise.all(
          files.map((file, i) =>
            ctx.read(file, buffers[i]!, 0).then(() => {
              lat[at + i] = (performance.now() - t0) * 1000;
            }),
          ),
        );
      };
      const close = async () => {
        await ctx.close();
        closeFds();
      };
      return { round, bytes, close, fds };
    }
    case 'aio-bind-sync': {
      const ctx = io_setup(64);
      const table = new IocbArray(fds.length);
      const events = new IoEventArray(fds.length);
      const addresses = buffers.map((b) => addressOf(b));
      const round: Round = (lat, at) => {
        const t0 = performance.now();
        for (let i = 0; i < fds.length; i++) {
          table.prepare(i, IOCB_CMD.PREAD, fds[i]!, addresses[i]!, sizes[i]!, 0, i);
        }
        io_submit(ctx, table.addresses, fds.length);
        let got = 0;
        while (got < fds.length) {
          let n = reapRing(ctx, events.bytes, events.length);
          if (n === 0) n = io_getevents(ctx, 1, events.length, events.bytes, null);
          for (let j = 0; j < n; j++)
            lat[at + events.dataNumber(j)] = (performance.now() - t0) * 1000;
          got += n;
        }
      };
      const close = () => {
        io_destroy(ctx); // waits for anything in flight: `buffers` is still referenced here
        closeFds();
        buffers.length = 0;
      };
      return { round, bytes, close, fds };
    }
    case 'fs-promises':
    case 'fs-promises-16':
    case 'fs-promises-uring': {
      closeFds();
      const handles = await Promise.all(run.files.map((f) => openHandle(f, 'r')));
      const round: Round = async (lat, at) => {
        const t0 = performance.now();
        await Promise.all(
          handles.map((h, i) =>
            h.read(buffers[i]!, 0, sizes[i]!, 0).then(() => {
              lat[at + i] = (performance.now() - t0) * 1000;
            }),
          ),
        );
      };
      const close = async () => {
        await Promise.all(handles.map((h) => h.close()));
      };
      return { round, bytes, close, fds: handles.map((h) => h.fd) };
    }
    case 'read-sync': {
      const round: Round = (lat, at) => {
        const t0 = performance.now();
        fds.forEach((fd, i) => {
          readSync(fd, buffers[i]!, 0, sizes[i]!, 0);
          lat[at + i] = (performance.now() - t0) * 1000;
        });
      };
      return { round, bytes, close: closeFds, fds };
    }
  }
}

export async function runSeedWorker(run: SeedRun): Promise<SeedResult> {
  const { round, close, bytes, fds } = await prepare(run);
  const n = run.files.length;
  const latencies = new Float64Array(n * run.rounds);
  const idle = await idleBaseline(run.idleMs);
  const cache = new ResidencyLog();
  let threadsPeak = status('Threads');
  let excluded = 0; // ms of eviction and sampling, left out of the runtime
  let excludedCpu = 0; // and their CPU time, µs, left out of the CPU time
  const aside = (work: () => void) => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    probe.exclude(work);
    const c = process.cpuUsage(c0);
    excludedCpu += c.user + c.system;
    excluded += performance.now() - t0;
  };
  const cpu0 = process.cpuUsage();
  const probe = new LoopProbe();
  const start = performance.now();
  for (let r = 0; r < run.rounds; r++) {
    const sampled = r % 50 === 0;
    let before = 0;
    aside(() => {
      if (run.cold) for (const fd of fds) fadviseDontNeed(fd);
      if (sampled) before = residencyOfFds(fds);
    });
    await round(latencies, r * n);
    if (sampled) {
      aside(() => {
        cache.add(before, residencyOfFds(fds));
        threadsPeak = Math.max(threadsPeak, status('Threads'));
      });
    }
    await pause();
  }
  const wallSeconds = (performance.now() - start - excluded) / 1000;
  const loop = loopStat(probe.stop(), idle);
  const cpu = process.cpuUsage(cpu0);
  threadsPeak = Math.max(threadsPeak, status('Threads'));
  const result: SeedResult = {
    participant: run.participant,
    n,
    wallSeconds,
    threadsPeak,
    rssPeakMB: status('VmHWM') / 1024,
    vmPeakMB: status('VmPeak') / 1024,
    cpuPercent: ((cpu.user + cpu.system - excludedCpu) / 1e6 / wallSeconds) * 100,
    p50us: percentile(latencies, 50),
    p99us: percentile(latencies, 99),
    bytesPerRound: bytes,
    cold: run.cold,
    loop,
    residency: cache.summary(),
    uringRings: ioUringInstances(),
  };
  await close();
  return result;
}

// Run as a process: argv[2] is the SeedRun as JSON; the result goes to stdout as JSON.
if (process.argv[2]?.startsWith('{')) {
  runSeedWorker(JSON.parse(process.argv[2]) as SeedRun).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
