// The measuring process of `pnpm bench analyze` (fresh, so that hooks.ts is in place before
// @aio/bind declares its functions): O_DIRECT random reads through @aio/core (qd async loops
// awaiting ctx.read) and through a raw @aio/bind event-loop loop (eventfd + uv_poll, reap the
// ring, one io_submit per request), with every wake-up and io_submit timestamped. Where the
// engine exposes `ctx.stats` (counters: inline, device, lane, polled, submits, wakeups,
// yields) its deltas over each run are reported too.
//
//   node dist/analyze-worker.cjs '{"path":...,"offsetsPath":...,"cases":[...]}'
import { closeSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  addressOf,
  EFD,
  eventfd,
  eventfdRead,
  FdPoller,
  IOCB_CMD,
  IocbArray,
  IoEventArray,
  io_destroy,
  io_setup,
  io_submit,
  reapRing,
} from '@aio/bind';
import { AioContext } from '@aio/core';
import { evict } from './cache.js';
import { readOffsets } from './files.js';
import { type BatchStats, SyscallHooks } from './hooks.js';
import { alignedBuffers, openFlags } from './participants.js';

// Importing the packages makes no syscall (@aio/bind loads libc on first use): installing
// here, before any context or eventfd exists, catches every function @aio/bind declares.
const hooks = SyscallHooks.install();

export interface AnalyzeCase {
  mode: 'O_DIRECT' | 'buffered cold';
  qd: number;
  ms: number;
  rounds: number;
  participants: Array<'core' | 'raw'>;
}

export interface AnalyzeRun {
  ops: number;
  batches: BatchStats;
  /** Deltas of ctx.stats over the run (absent: the engine has no stats). */
  stats?: Record<string, number>;
}

interface Job {
  path: string;
  offsetsPath: string;
  cases: AnalyzeCase[];
}

type Counters = Record<string, number>;

/** The counters the new engine's ctx.stats is to have; any other numeric key is kept too. */
const STATS_KEYS = ['inline', 'device', 'lane', 'polled', 'submits', 'wakeups', 'yields'];

/** A copy of ctx.stats (a live object or a getter-backed one alike), or undefined. */
function snapshot(ctx: AioContext): Counters | undefined {
  if (!('stats' in ctx)) return undefined;
  const stats = (ctx as unknown as { stats: Record<string, unknown> }).stats;
  if (typeof stats !== 'object' || stats === null) return undefined;
  const out: Counters = {};
  for (const key of new Set([...STATS_KEYS, ...Object.keys(stats)])) {
    const value = stats[key];
    if (typeof value === 'number' || typeof value === 'bigint') out[key] = Number(value);
  }
  return out;
}

async function coreRun(c: AnalyzeCase, path: string, offsets: Float64Array): Promise<AnalyzeRun> {
  const ctx = new AioContext({ maxRequests: 256 });
  const fh = await open(path, openFlags(c.mode === 'O_DIRECT'));
  const buffers = alignedBuffers(c.qd, 4096);
  let next = 0;
  let done = 0;
  try {
    const before = snapshot(ctx);
    hooks.begin();
    const start = performance.now();
    const end = start + c.ms;
    await Promise.all(
      buffers.map(async (buffer) => {
        while (performance.now() < end) {
          await ctx.read(fh, buffer, offsets[next++ % offsets.length]!);
          hooks.completed();
          done++;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const batches = hooks.end();
    const after = snapshot(ctx);
    const stats =
      before && after
        ? Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]))
        : undefined;
    return { ops: done / seconds, batches, stats };
  } finally {
    await fh.close();
    await ctx.close();
  }
}

/** The raw loop: what the event-loop path costs without Promises, queues and batching. */
function rawRun(c: AnalyzeCase, path: string, offsets: Float64Array): Promise<AnalyzeRun> {
  const fd = openSync(path, openFlags(c.mode === 'O_DIRECT'));
  const ctx = io_setup(c.qd * 2);
  const efd = eventfd(0, EFD.NONBLOCK | EFD.CLOEXEC);
  const table = new IocbArray(c.qd);
  const events = new IoEventArray(c.qd);
  const buffers = alignedBuffers(c.qd, 4096); // referenced until io_destroy
  const addresses = buffers.map((b) => addressOf(b));
  let next = 0;
  let done = 0;
  let inFlight = 0;
  const submit = (slot: number) => {
    table.prepare(
      slot,
      IOCB_CMD.PREAD,
      fd,
      addresses[slot]!,
      4096,
      offsets[next++ % offsets.length]!,
      slot,
    );
    table.setResfd(slot, efd);
    io_submit(ctx, table.addresses.subarray(slot, slot + 1), 1);
    inFlight++;
  };
  return new Promise((resolve, reject) => {
    let end = 0;
    let start = 0;
    const poller = new FdPoller(efd, (error) => {
      if (error) return reject(error);
      eventfdRead(efd); // drain first: a later completion signals again
      const timeLeft = performance.now() < end;
      for (
        let n = reapRing(ctx, events.bytes, c.qd);
        n > 0;
        n = reapRing(ctx, events.bytes, c.qd)
      ) {
        for (let j = 0; j < n; j++) {
          inFlight--;
          done++;
          hooks.completed();
          if (timeLeft) submit(events.dataNumber(j));
        }
      }
      if (inFlight > 0) return;
      const seconds = (performance.now() - start) / 1000;
      const batches = hooks.end();
      poller.close();
      io_destroy(ctx);
      closeSync(efd);
      closeSync(fd);
      buffers.length = 0;
      resolve({ ops: done / seconds, batches });
    });
    poller.start();
    hooks.begin();
    start = performance.now();
    end = start + c.ms;
    for (let i = 0; i < c.qd; i++) submit(i);
  });
}

async function main(job: Job): Promise<void> {
  const offsets = readOffsets(job.offsetsPath);
  const results: Array<AnalyzeCase & { runs: Record<string, AnalyzeRun[]> }> = [];
  for (const c of job.cases) {
    const runs: Record<string, AnalyzeRun[]> = {};
    for (let r = 0; r <= c.rounds; r++) {
      for (const p of c.participants) {
        if (c.mode === 'buffered cold') evict(job.path);
        const run =
          p === 'core' ? await coreRun(c, job.path, offsets) : await rawRun(c, job.path, offsets);
        if (r > 0) runs[p] = [...(runs[p] ?? []), run]; // round 0 is the warm-up
      }
    }
    results.push({ ...c, runs });
  }
  const hooked = { submit: hooks.submitHooked, poll: hooks.pollHooked };
  process.stdout.write(`${JSON.stringify({ hooked, results })}\n`);
}

if (process.argv[2]?.startsWith('{')) {
  main(JSON.parse(process.argv[2]) as Job).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
