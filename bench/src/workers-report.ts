// The results of `pnpm bench workers`: their shape, a markdown table and a Vega-Lite chart.
import type { TopLevelSpec } from 'vega-lite';
import type { LoopStats } from './http-loop.js';
import { median } from './stats.js';

export type WorkersIo = 'fs' | 'aio';
export type WorkersCache = 'warm' | 'cold';

export const WORKERS_LABELS: Record<WorkersIo, string> = {
  fs: 'fs.promises',
  aio: '@aio/core',
};

const ORDER = [WORKERS_LABELS.fs, WORKERS_LABELS.aio];

export interface WorkersRun {
  io: WorkersIo;
  cache: WorkersCache;
  workers: number;
  totalOps: number;
  perWorker: number[];
  /** The main thread's event loop while the workers ran. */
  loop: LoopStats;
  /** Peak of this process's threads (workers, libuv pool) during the run. */
  threadsPeak: number;
  /** Fraction of the file in the page cache before and after the run (null: no fincore). */
  residentBefore: number | null;
  residentAfter: number | null;
}

export interface WorkersReport {
  fileMiB: number;
  seconds: number;
  depth: number;
  rounds: number;
  runs: WorkersRun[];
  /** Kernel AIO rings mapped in the process before the first and after the last worker. */
  ringsBefore: number;
  ringsAfter: number;
}

interface Row {
  io: WorkersIo;
  cache: WorkersCache;
  workers: number;
  total: number;
  /** Each worker's ops/s in the round with the median total. */
  perWorker: number[];
  gap: number;
  lag: number;
  threads: number;
  before: number | null;
  after: number | null;
}

/** Medians over the rounds, one row per (cache, io, workers). */
function summarize(report: WorkersReport): Row[] {
  const rows: Row[] = [];
  for (const cache of ['warm', 'cold'] as WorkersCache[]) {
    for (const io of ['fs', 'aio'] as WorkersIo[]) {
      for (const workers of [1, 2]) {
        const runs = report.runs.filter(
          (r) => r.cache === cache && r.io === io && r.workers === workers,
        );
        if (runs.length === 0) continue;
        const resident = (pick: (r: WorkersRun) => number | null) => {
          const known = runs.map(pick).filter((x) => x !== null);
          return known.length ? median(known) : null;
        };
        const total = median(runs.map((r) => r.totalOps));
        rows.push({
          io,
          cache,
          workers,
          total,
          perWorker: runs.find((r) => r.totalOps === total)!.perWorker,
          gap: median(runs.map((r) => r.loop.maxGapMs)),
          lag: median(runs.map((r) => r.loop.p99LagMs)),
          threads: Math.max(...runs.map((r) => r.threadsPeak)),
          before: resident((r) => r.residentBefore),
          after: resident((r) => r.residentAfter),
        });
      }
    }
  }
  return rows;
}

const k = (n: number) => (n >= 1e4 ? `${(n / 1000).toFixed(1)}k` : `${Math.round(n)}`);

export function workersMarkdown(report: WorkersReport): string {
  const rows = summarize(report);
  const find = (io: WorkersIo, cache: WorkersCache, workers: number) =>
    rows.find((r) => r.io === io && r.cache === cache && r.workers === workers);
  const lines = [
    `A ${report.fileMiB} MiB file; ${report.depth} reads in flight per worker; ${report.rounds} interleaved round(s) of ${report.seconds} s, medians; ops/s.`,
    '',
    '| cache | participant | workers | total ops/s | per worker ops/s | scaling efficiency | vs fs.promises | main loop longest gap ms | main loop p99 lag ms | threads (peak) | cached before / after |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const one = find(r.io, r.cache, 1);
    const efficiency =
      r.workers === 2 && one ? `${((r.total / (2 * one.total)) * 100).toFixed(0)}%` : '';
    const fs = find('fs', r.cache, r.workers);
    const versus = r.io === 'aio' && fs ? `${(r.total / fs.total).toFixed(2)}x` : '';
    const pct = (f: number | null) => (f === null ? '?' : `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%`);
    lines.push(
      `| ${r.cache} | ${WORKERS_LABELS[r.io]} | ${r.workers} | ${k(r.total)} | ${r.perWorker.map(k).join(' / ')} | ${efficiency} | ${versus} | ${r.gap.toFixed(1)} | ${r.lag.toFixed(1)} | ${r.threads} | ${pct(r.before)} / ${pct(r.after)} |`,
    );
  }
  lines.push(
    '',
    'Scaling efficiency: total ops/s with 2 workers / (2 x total ops/s with 1 worker).',
    '',
    `Kernel AIO rings mapped in the process: ${report.ringsBefore} before the first worker, ${report.ringsAfter} after the last exited${report.ringsAfter === report.ringsBefore ? ' (every worker destroyed its context)' : ' (**rings left behind**)'}.`,
  );
  return lines.join('\n');
}

export function workersChart(report: WorkersReport): TopLevelSpec {
  const values = summarize(report).map((r) => ({
    cache: r.cache,
    who: WORKERS_LABELS[r.io],
    workers: r.workers,
    ops: Math.round(r.total),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `worker_threads: random 4 KiB reads, ${report.depth} in flight per worker`,
    data: { values },
    facet: { column: { field: 'cache', type: 'nominal', title: null, sort: ['warm', 'cold'] } },
    spec: {
      width: 260,
      height: 220,
      mark: 'bar',
      encoding: {
        x: { field: 'workers', type: 'ordinal', title: 'workers' },
        xOffset: { field: 'who', sort: ORDER },
        y: { field: 'ops', type: 'quantitative', title: 'total ops/s' },
        color: {
          field: 'who',
          type: 'nominal',
          title: null,
          sort: ORDER,
          legend: { orient: 'bottom', labelLimit: 0 },
        },
        tooltip: [{ field: 'who' }, { field: 'workers' }, { field: 'ops', format: ',' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export function workersPresentation(report: WorkersReport) {
  return {
    title: 'worker_threads: one AioContext per worker',
    note:
      'N worker threads in the bench process, each with its own new AioContext() (or fs.promises) ' +
      'and FileHandle, read their own share of the blocks in a random order, all over the same ' +
      'window; the main thread only waits, and its event loop is watched (longest gap between ' +
      'ticks of a 1 ms interval, p99 of monitorEventLoopDelay). fs.promises workers share the ' +
      "process's one libuv threadpool (4 threads). Cold: the file is evicted (posix_fadvise " +
      'DONTNEED) before each run; warm: read into the page cache first. Each worker closes its ' +
      'context (await ctx.close()) before it exits.',
    table: workersMarkdown(report),
    chart: workersChart(report),
  };
}
