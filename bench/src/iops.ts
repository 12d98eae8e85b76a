// `pnpm bench iops`: 4 KiB random reads of a 1 GiB file outside the repository: page-cached,
// cold (evicted before every run) and O_DIRECT, at several queue depths; medians of interleaved
// rounds in one process after a warm-up, the order of participants rotated every round. Every
// participant of a round reads the same offsets (a fresh list per case and round, through a
// file for the C reference and the io_uring peer); fio uses its own random map, seeded per
// round. Each run is measured for throughput, sampled latency and the event loop. Plus a
// sequential read of the whole file, and a depth-128 re-check with one offset list repeated.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AioContext } from '@aio/core';
import { type AioFileForm, detectAioFileForm } from './aio-file.js';
import {
  ensureCached,
  evict,
  type Residency,
  ResidencyLog,
  type ResidencyMethod,
  residency,
  residencyMethod,
} from './cache.js';
import { compileReference, hasFio } from './external.js';
import { benchDir, dataFile, writeOffsets } from './files.js';
import { type IopsCase, type IopsParticipant, iopsCases } from './iops-cases.js';
import { type RoundOffsets, type RunEnv, type RunResult, runOne } from './iops-run.js';
import { runSequential, type SequentialRow } from './iops-sequential.js';
import { type Latency, medianLatency, SAMPLE_EVERY, timerCostNs } from './latency.js';
import { type IdleBaseline, idleBaseline, type LoopStat, medianLoop } from './loop.js';
import { type BenchOptions, noteTaker } from './options.js';
import { median, randomOffsets } from './stats.js';
import { UringPeer } from './uring.js';

export interface IopsRow extends IopsCase {
  /** Median ops/s per participant (absent: not run). */
  ops: Partial<Record<IopsParticipant, number>>;
  rounds: Partial<Record<IopsParticipant, number[]>>;
  latency: Partial<Record<IopsParticipant, Latency>>;
  /** Median loop stats; null for a participant in another process without a loop. */
  loop: Partial<Record<IopsParticipant, LoopStat | null>>;
  loopRounds: Partial<Record<IopsParticipant, LoopStat[]>>;
  /** Page cache around the runs (null for O_DIRECT, which does not read it). */
  residency: Residency | null;
  /** The C reference's completions per ring reap or io_getevents (median). */
  referencePerReap?: number;
  /** Seconds per run of this case (absent in results saved before it varied per case). */
  seconds?: number;
}

export interface IopsReport {
  fileMiB: number;
  rounds: number;
  seconds: number;
  idle: IdleBaseline;
  residencyMethod: ResidencyMethod;
  aioFileForm: AioFileForm;
  sampleEvery: number;
  /** Cost of one performance.now() call, ns (two per sampled request). */
  timerNs: number;
  /** io_uring instances the peer held after its runs (0: libuv did not use one), or why skipped. */
  uring: { rings: number } | { skipped: string };
  rows: IopsRow[];
  sequential: SequentialRow[];
  notes: string[];
}

export async function runIops(options: BenchOptions): Promise<IopsReport> {
  const { log, notes } = noteTaker(options);
  const size = options.quick ? 256 << 20 : 1 << 30;
  const rounds = options.rounds ?? (options.quick ? 1 : 5);
  const ms = (options.seconds ?? (options.quick ? 0.2 : 1)) * 1000;
  log(`[iops] preparing a ${size >> 20} MiB file (reused across runs)`);
  const path = dataFile(`random-${size >> 20}m.bin`, size);
  compileReference(log);
  if (!hasFio())
    log('[iops] no fio on this machine: its columns are empty (install the fio package)');
  const timerNs = timerCostNs();
  const idle = await idleBaseline(ms);
  const ctx = new AioContext({ maxRequests: 256 });
  let peer: UringPeer | null = null;
  let form: AioFileForm = 'legacy';
  const rows: IopsRow[] = [];
  let sequential: SequentialRow[] = [];
  try {
    peer = await UringPeer.start(ms, log);
    form = await detectAioFileForm(dataFile('random-1m.bin', 1 << 20), ctx);
    const env: RunEnv = { ctx, form, peer, idle };
    for (const [index, c] of iopsCases(options.quick).entries())
      rows.push(
        await runCase(c, index, { path, size, rounds, ms, env, log, warmUp: !options.quick }),
      );
    const modes = options.quick ? [false] : [false, true]; // quick: buffered only
    sequential = await runSequential({ path, rounds: Math.max(1, rounds - 2), modes, env, log });
  } finally {
    await peer?.close();
    await ctx.close();
    rmSync(join(benchDir(), `offsets-round-${process.pid}.bin`), { force: true });
  }
  const skipped = notes.find((n) => n.includes('io_uring')) ?? 'not started';
  return {
    fileMiB: size >> 20,
    rounds,
    seconds: ms / 1000,
    idle,
    residencyMethod: residencyMethod(),
    aioFileForm: form,
    sampleEvery: SAMPLE_EVERY,
    timerNs,
    uring: peer === null ? { skipped } : { rings: (peer as UringPeer).rings },
    rows,
    sequential,
    notes,
  };
}

interface CaseRun {
  path: string;
  size: number;
  rounds: number;
  ms: number;
  env: RunEnv;
  log: (line: string) => void;
  /** Run every participant once, unrecorded, first (left out of quick runs). */
  warmUp: boolean;
}

function offsetsFor(c: IopsCase, index: number, round: number, size: number): RoundOffsets {
  // 'repeated': one list in every round (the method of the first results); 'fresh': a new list
  // per case and round, so that no one re-reads blocks a host cache kept from an earlier run.
  const seed = c.offsets === 'repeated' ? 42 : 1 + index * 1000 + round;
  const offsets = randomOffsets(1 << 20, size, 4096, seed);
  return { seed, offsets, path: writeOffsets(offsets, `round-${process.pid}`) };
}

async function runCase(c: IopsCase, index: number, run: CaseRun): Promise<IopsRow> {
  // Cached runs do hundreds of thousands of reads a second: half the time is as stable.
  const ms = c.cache === 'warm' ? run.ms / 2 : run.ms;
  const results = new Map<IopsParticipant, RunResult[]>();
  const cache = new ResidencyLog();
  const once = async (p: IopsParticipant, ms: number, round: RoundOffsets) => {
    if (c.cache === 'warm') ensureCached(run.path);
    else if (c.cache === 'cold') evict(run.path);
    const before = c.cache === 'device' ? 0 : residency(run.path);
    const direct = c.mode === 'O_DIRECT';
    const loop = { path: run.path, direct, qd: c.qd, ms, offsets: round.offsets, block: 4096 };
    const result = await runOne(p, loop, round, run.env);
    if (c.cache !== 'device') cache.add(before, residency(run.path));
    return result;
  };
  if (run.warmUp) {
    const warmUp = offsetsFor(c, index, 0, run.size);
    for (const p of c.participants) await once(p, ms / 4, warmUp);
  }
  for (let r = 1; r <= run.rounds; r++) {
    const round = offsetsFor(c, index, r, run.size);
    const n = c.participants.length;
    for (let i = 0; i < n; i++) {
      const p = c.participants[(i + r) % n]!; // rotated: no one always runs first
      run.log(`[iops] ${c.label} QD${c.qd}: round ${r}/${run.rounds}, ${p}`);
      const result = await once(p, ms, round);
      if (result !== null) results.set(p, [...(results.get(p) ?? []), result]);
    }
  }
  return {
    ...summarize(c, results, c.cache === 'device' ? null : cache.summary()),
    seconds: ms / 1000,
  };
}

function summarize(
  c: IopsCase,
  results: Map<IopsParticipant, RunResult[]>,
  residency: Residency | null,
): IopsRow {
  const row: IopsRow = {
    ...c,
    ops: {},
    rounds: {},
    latency: {},
    loop: {},
    loopRounds: {},
    residency,
  };
  for (const [p, list] of results) {
    const ops = list.map((x) => x.ops);
    row.rounds[p] = ops;
    row.ops[p] = median(ops);
    const latency = medianLatency(list.map((x) => x.latency));
    if (latency) row.latency[p] = latency;
    const loops = list.map((x) => x.loop).filter((l): l is LoopStat => l !== null);
    if (loops.length === 0) row.loop[p] = null;
    else {
      row.loopRounds[p] = loops;
      row.loop[p] = medianLoop(loops);
    }
    if (p === 'cReference') row.referencePerReap = median(list.map((x) => x.perReap ?? 0));
  }
  return row;
}
