// `pnpm bench seed`: the comparison the Python linux_aio project publishes, reproduced in
// Node. Small files (1-100 KB, fixed seed), N = 1, 6, 12, 24 read per round, 1000 rounds at
// 1 ms intervals; each participant in its own fresh process (seed-worker.ts), three times,
// medians reported. Files are opened once, before the first round, by every participant.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDir } from './files.js';
import type { SeedParticipant, SeedResult } from './seed-worker.js';
import { median, seeded } from './stats.js';

export const PARTICIPANTS: Array<{
  id: SeedParticipant;
  label: string;
  env?: Record<string, string>;
}> = [
  { id: 'aio-core', label: '@aio/core (Promise API)' },
  { id: 'aio-bind-sync', label: '@aio/bind sync (submit, io_getevents)' },
  { id: 'fs-promises', label: 'fs.promises (4 threads)' },
  {
    id: 'fs-promises-16',
    label: 'fs.promises, UV_THREADPOOL_SIZE=16',
    env: { UV_THREADPOOL_SIZE: '16' },
  },
  { id: 'read-sync', label: 'fs.readSync (blocking)' },
];

export interface SeedReport {
  baselineThreads: number;
  rounds: number;
  repeats: number;
  fileSizes: number[];
  rows: Array<SeedResult & { label: string }>;
}

const here = dirname(fileURLToPath(import.meta.url));

function makeFiles(): { paths: string[]; sizes: number[] } {
  const dir = join(benchDir(), 'seed');
  mkdirSync(dir, { recursive: true });
  const rand = seeded(1234);
  const paths: string[] = [];
  const sizes: number[] = [];
  for (let i = 0; i < 24; i++) {
    const size = 1024 + Math.floor(rand() * 99 * 1024);
    const data = Buffer.allocUnsafe(size);
    for (let j = 0; j < size; j++) data[j] = Math.floor(rand() * 256);
    const path = join(dir, `file-${i}.bin`);
    writeFileSync(path, data);
    paths.push(path);
    sizes.push(size);
  }
  return { paths, sizes };
}

/** Threads of a bare `node -e` process, read the same way the workers read theirs. */
function baselineThreads(): number {
  const out = execFileSync(process.execPath, [
    '-e',
    "setTimeout(() => console.log(require('fs').readFileSync('/proc/self/status','utf8').match(/Threads:\\s+(\\d+)/)[1]), 200)",
  ]);
  return Number.parseInt(out.toString(), 10);
}

function runWorker(
  participant: (typeof PARTICIPANTS)[number],
  files: string[],
  rounds: number,
): SeedResult {
  const out = execFileSync(
    process.execPath,
    [join(here, 'seed-worker.cjs'), JSON.stringify({ participant: participant.id, files, rounds })],
    {
      env: { ...process.env, ...participant.env },
    },
  );
  return JSON.parse(out.toString()) as SeedResult;
}

function medianResult(results: SeedResult[]): SeedResult {
  const pick = (k: keyof SeedResult) => median(results.map((r) => r[k] as number));
  return {
    ...results[0]!,
    wallSeconds: pick('wallSeconds'),
    threadsPeak: Math.max(...results.map((r) => r.threadsPeak)),
    rssPeakMB: pick('rssPeakMB'),
    vmPeakMB: pick('vmPeakMB'),
    cpuPercent: pick('cpuPercent'),
    p50us: pick('p50us'),
    p99us: pick('p99us'),
  };
}

export function runSeed(options: { quick: boolean; log: (line: string) => void }): SeedReport {
  const rounds = options.quick ? 100 : 1000;
  const repeats = options.quick ? 1 : 3;
  const counts = options.quick ? [1, 24] : [1, 6, 12, 24];
  const { paths, sizes } = makeFiles();
  const baseline = baselineThreads();
  const rows: SeedReport['rows'] = [];
  for (const n of counts) {
    const results = new Map<string, SeedResult[]>();
    for (let r = 1; r <= repeats; r++) {
      for (const p of PARTICIPANTS) {
        options.log(`[seed] N=${n}: ${p.label}, run ${r}/${repeats}`);
        const list = results.get(p.id) ?? [];
        list.push(runWorker(p, paths.slice(0, n), rounds));
        results.set(p.id, list);
      }
    }
    for (const p of PARTICIPANTS)
      rows.push({ ...medianResult(results.get(p.id)!), label: p.label });
  }
  return { baselineThreads: baseline, rounds, repeats, fileSizes: sizes, rows };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);

export function seedMarkdown(report: SeedReport): string {
  const lines = [
    `Bare \`node -e\` process: ${report.baselineThreads} threads. ${report.rounds} rounds, median of ${report.repeats} fresh processes per cell.`,
    '',
    '| N files | participant | runtime s | threads (peak) | peak RSS MB | peak virtual MB | CPU % | read p50 µs | read p99 µs |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rows) {
    lines.push(
      `| ${r.n} | ${r.label} | ${fmt(r.wallSeconds, 2)} | ${r.threadsPeak} | ${fmt(r.rssPeakMB, 1)} | ${fmt(r.vmPeakMB)} | ${fmt(r.cpuPercent, 1)} | ${fmt(r.p50us)} | ${fmt(r.p99us)} |`,
    );
  }
  const at = (id: string) => report.rows.find((r) => r.n === 24 && r.participant === id);
  const core = at('aio-core');
  const sync = at('read-sync');
  const fsp = at('fs-promises');
  if (core && sync && fsp) {
    const check = (ok: boolean) => (ok ? 'met' : '**missed**');
    lines.push(
      '',
      'Floors at 24 files:',
      '',
      `- runtime within 10% of fs.readSync: ${fmt(core.wallSeconds, 2)} s vs ${fmt(sync.wallSeconds, 2)} s (${fmt((core.wallSeconds / sync.wallSeconds - 1) * 100, 1)}%): ${check(core.wallSeconds <= sync.wallSeconds * 1.1)}`,
      `- CPU below fs.promises: ${fmt(core.cpuPercent, 1)}% vs ${fmt(fsp.cpuPercent, 1)}%: ${check(core.cpuPercent < fsp.cpuPercent)}`,
      `- no threads beyond a bare node process: ${core.threadsPeak} vs ${report.baselineThreads}: ${check(core.threadsPeak <= report.baselineThreads)}`,
      `- peak RSS within 10 MB of fs.readSync: ${fmt(core.rssPeakMB, 1)} MB vs ${fmt(sync.rssPeakMB, 1)} MB: ${check(core.rssPeakMB <= sync.rssPeakMB + 10)}`,
    );
  }
  return lines.join('\n');
}
