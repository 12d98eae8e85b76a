// Every benchmark `pnpm bench` knows: how to run it and how to present its raw results (also
// saved ones, for --render and floors.md). `pnpm bench all` runs every entry; `pnpm bench`
// alone runs those marked `byDefault`.
import type { TopLevelSpec } from 'vega-lite';
import { type AnalyzeReport, runAnalyze } from './analyze.js';
import { analyzeMarkdown } from './analyze-report.js';
import { analyzeChart, filesChart, iopsChart, seedChart, soakChart } from './chart.js';
import type { Floor } from './floors.js';
import { runHttp } from './http.js';
import { type HttpReport, httpPresentation } from './http-report.js';
import { type IopsReport, runIops } from './iops.js';
import { iopsFloors, iopsMarkdown } from './iops-report.js';
import type { BenchOptions } from './options.js';
import { runSeed, type SeedReport } from './seed.js';
import { seedFloors, seedMarkdown } from './seed-report.js';
import { runSoak, type SoakResult, soakFloors, soakMarkdown } from './soak.js';
import { runTransfer, type TransferReport, type TransferRow } from './transfer.js';
import { transferFloors, transferMarkdown } from './transfer-report.js';
import { runWorkers } from './workers.js';
import { type WorkersReport, workersPresentation } from './workers-report.js';

export interface Presentation {
  title: string;
  note: string;
  table: string;
  chart: TopLevelSpec;
  floors: Floor[];
}

export interface Bench {
  /** Part of `pnpm bench` without a name (and so of `pnpm bench --quick`, the CI smoke run). */
  byDefault: boolean;
  run(options: BenchOptions): Promise<unknown>;
  present(raw: never): Presentation;
}

export const BENCHES: Record<string, Bench> = {
  seed: {
    byDefault: true,
    run: (o) => runSeed(o),
    present: (report: SeedReport) => ({
      title: 'Small files, the linux_aio comparison in Node',
      note:
        'Each participant reads N files of 1-100 KB (24 generated with a fixed seed; the first N) per ' +
        'round, then pauses 1 ms, in its own fresh process. Files are opened once, before the first ' +
        'round, by every participant. Runtime includes the 1 ms pauses. Threads: peak of /proc/self/status ' +
        'Threads; RSS and virtual size: VmHWM and VmPeak; CPU: user + system time over runtime; read ' +
        'latency: from the start of a round to the completion of each read. @aio/core reads through ' +
        '{ fd } objects, whose file type it checks once (a raw fd number is checked on every flush).',
      table: seedMarkdown(report),
      chart: seedChart(report),
      floors: seedFloors(report),
    }),
  },
  iops: {
    byDefault: true,
    run: (o) => runIops(o),
    present: (report: IopsReport) => ({
      title: 'Throughput against the limit: 4 KiB random reads',
      note:
        'Participants run in one process, interleaved, after a warm-up; the C reference, fio and ' +
        'fs.promises on io_uring are separate processes. @aio/core and fs.promises read through a ' +
        'FileHandle, AioFile through open(). fs.readSync is one request at a time, so only at QD1.',
      table: iopsMarkdown(report),
      chart: iopsChart(report),
      floors: iopsFloors(report),
    }),
  },
  files: {
    byDefault: true,
    run: (o) => runTransfer(o),
    present: (report: TransferReport | TransferRow[]) => ({
      title: 'Whole files: readFile, writeFile, streams',
      note:
        'Medians of interleaved rounds in one process after a warm-up (node:fs on io_uring in its own ' +
        'process); MB/s (10^6 bytes/s). @aio/core with its defaults (1 MiB chunks, 4 in flight; ' +
        'streams: 64 KiB, 4 ahead) unless the case says otherwise.',
      table: transferMarkdown(report),
      chart: filesChart(report),
      floors: transferFloors(report),
    }),
  },
  soak: {
    byDefault: false,
    run: (o) => runSoak(o),
    present: (result: SoakResult) => ({
      title: 'Soak: a million mixed operations',
      note:
        'Reads, writes, readv, writev (half on O_DIRECT files, aligned and not), syncs, readFile and ' +
        'writeFile through one AioContext with 32 requests at a time; samples taken after a forced GC.',
      table: soakMarkdown(result),
      chart: soakChart(result),
      floors: soakFloors(result),
    }),
  },
  analyze: {
    byDefault: false,
    run: (o) => runAnalyze(o),
    present: (report: AnalyzeReport) => ({
      title: 'Analysis: completions per wake-up and the time of a batch',
      note:
        'The figures the READMEs quote about O_DIRECT batches, measured by a committed script ' +
        '(bench/src/analyze.ts, analyze-worker.ts, hooks.ts).',
      table: analyzeMarkdown(report),
      chart: analyzeChart(report),
      floors: [],
    }),
  },
  http: {
    byDefault: true,
    run: (o) => runHttp({ quick: o.quick, log: o.log }),
    present: (report: HttpReport) => ({ ...httpPresentation(report), floors: [] }),
  },
  workers: {
    byDefault: true,
    run: (o) => runWorkers({ quick: o.quick, log: o.log }),
    present: (report: WorkersReport) => ({ ...workersPresentation(report), floors: [] }),
  },
};
