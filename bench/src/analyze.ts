// `pnpm bench analyze`: where the time of an O_DIRECT batch goes, measured rather than quoted.
// For @aio/core and a raw @aio/bind event-loop loop (in a fresh process, analyze-worker.ts):
// completions per wake-up, time from the wake-up to the first io_submit of the next batch
// (and to its last), and from that last io_submit to the next wake-up (the device's share).
// Completions per wake-up come from `ctx.stats` (device / wakeups) where the engine has it,
// else from outside (hooks.ts). The C reference gives its completions per reap beside them.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalyzeCase, AnalyzeRun } from './analyze-worker.js';
import { compileReference, cReferenceReads } from './external.js';
import { dataFile, writeOffsets } from './files.js';
import { type BenchOptions, noteTaker } from './options.js';
import { median, percentile, randomOffsets } from './stats.js';

export type AnalyzeParticipant = 'core' | 'raw' | 'cReference';

export const ANALYZE_LABELS: Record<AnalyzeParticipant, string> = {
  core: '@aio/core ctx.read',
  raw: '@aio/bind raw event-loop loop',
  cReference: 'C reference (io_getevents loop)',
};

export interface AnalyzeRow {
  mode: AnalyzeCase['mode'];
  qd: number;
  participant: AnalyzeParticipant;
  ops: number;
  /** Completions per wake-up seen from outside (or per reap, for the C reference). */
  perWake: number | null;
  /** ctx.stats.device / ctx.stats.wakeups (null: no ctx.stats in this engine). */
  perWakeStats: number | null;
  wakeToFirstUs: { p50: number; p90: number } | null;
  wakeToLastUs: number | null;
  lastToWakeUs: number | null;
  wakes: number;
  submits: number;
  stats?: Record<string, number>;
}

export interface AnalyzeReport {
  fileMiB: number;
  seconds: number;
  rounds: number;
  hooked: { submit: boolean; poll: boolean };
  rows: AnalyzeRow[];
  notes: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const us = (ms: number[]) => (ms.length === 0 ? null : percentile(ms, 50) * 1000);
const mid = (values: Array<number | null>) => {
  const got = values.filter((v): v is number => v !== null);
  return got.length === 0 ? null : median(got);
};

function summarize(c: AnalyzeCase, p: 'core' | 'raw', runs: AnalyzeRun[]): AnalyzeRow {
  const b = runs.map((r) => r.batches);
  const perWake = b.map((x) =>
    x.perWake.length ? x.perWake.reduce((s, v) => s + v, 0) / x.perWake.length : null,
  );
  const statsRatio = runs.map((r) => (r.stats?.wakeups ? r.stats.device! / r.stats.wakeups : null));
  const stats = runs[0]?.stats
    ? Object.fromEntries(
        Object.keys(runs[0].stats).map((k) => [k, median(runs.map((r) => r.stats![k] ?? 0))]),
      )
    : undefined;
  const first = b.map((x) => x.wakeToFirst);
  return {
    mode: c.mode,
    qd: c.qd,
    participant: p,
    ops: median(runs.map((r) => r.ops)),
    perWake: mid(perWake),
    perWakeStats: mid(statsRatio),
    wakeToFirstUs: first.some((f) => f.length > 0)
      ? {
          p50: mid(first.map((f) => us(f)))!,
          p90: mid(first.map((f) => (f.length ? percentile(f, 90) * 1000 : null)))!,
        }
      : null,
    wakeToLastUs: mid(b.map((x) => us(x.wakeToLast))),
    lastToWakeUs: mid(b.map((x) => us(x.lastToWake))),
    wakes: median(b.map((x) => x.wakes)),
    submits: median(b.map((x) => x.submits)),
    ...(stats ? { stats } : {}),
  };
}

export async function runAnalyze(options: BenchOptions): Promise<AnalyzeReport> {
  const { log, notes } = noteTaker(options);
  const size = options.quick ? 256 << 20 : 1 << 30;
  const path = dataFile(`random-${size >> 20}m.bin`, size);
  const ms = (options.seconds ?? (options.quick ? 0.2 : 1)) * 1000;
  const rounds = options.rounds ?? (options.quick ? 1 : 3);
  const offsets = randomOffsets(1 << 20, size, 4096, 7);
  const offsetsPath = writeOffsets(offsets, `analyze-${process.pid}`);
  const cases: AnalyzeCase[] = [
    { mode: 'O_DIRECT', qd: 32, ms, rounds, participants: ['core', 'raw'] },
    ...(options.quick
      ? []
      : [
          {
            mode: 'O_DIRECT' as const,
            qd: 128,
            ms,
            rounds,
            participants: ['core' as const, 'raw' as const],
          },
          { mode: 'buffered cold' as const, qd: 32, ms, rounds, participants: ['core' as const] },
        ]),
  ];
  log(
    `[analyze] ${cases.length} case(s), ${rounds} round(s) of ${ms / 1000} s, in a fresh process`,
  );
  const out = execFileSync(
    process.execPath,
    [join(here, 'analyze-worker.cjs'), JSON.stringify({ path, offsetsPath, cases })],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 30,
    },
  );
  const { hooked, results } = JSON.parse(out.toString()) as {
    hooked: AnalyzeReport['hooked'];
    results: Array<AnalyzeCase & { runs: Record<string, AnalyzeRun[]> }>;
  };
  if (!hooked.submit)
    log(
      '[analyze] no io_submit went through the hooked koffi syscall functions: times from io_submit are missing',
    );
  if (!hooked.poll)
    log('[analyze] no wake-up went through koffi.node.poll: per-wake figures are missing');
  const rows: AnalyzeRow[] = [];
  compileReference(log);
  for (const c of results) {
    for (const p of c.participants) rows.push(summarize(c, p, c.runs[p] ?? []));
    if (c.mode !== 'O_DIRECT') continue;
    const loop = { path, direct: true, qd: c.qd, ms, offsets, block: 4096 };
    const refs = Array.from({ length: rounds }, () => cReferenceReads(loop, offsetsPath));
    if (refs[0])
      rows.push({
        mode: c.mode,
        qd: c.qd,
        participant: 'cReference',
        ops: median(refs.map((r) => r!.ops)),
        perWake: median(refs.map((r) => r!.perReap)),
        perWakeStats: null,
        wakeToFirstUs: null,
        wakeToLastUs: null,
        lastToWakeUs: null,
        wakes: 0,
        submits: 0,
      });
  }
  rmSync(offsetsPath, { force: true });
  return { fileMiB: size >> 20, seconds: ms / 1000, rounds, hooked, rows, notes };
}
