// `pnpm bench seed`: the comparison the Python linux_aio project publishes, reproduced in
// Node. Small files (1-100 KB, fixed seed), N = 1, 6, 12, 24 read per round, 1000 rounds at
// 1 ms intervals, page-cached; and the 24 files cold (evicted before every round). Each
// participant in its own fresh process (seed-worker.ts), three times, the order rotated,
// medians reported. Files are opened once, before the first round, by every participant.
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Residency } from './cache.js';
import { benchDir } from './files.js';
import { medianLoop } from './loop.js';
import { type BenchOptions, noteTaker } from './options.js';
import type { SeedParticipant, SeedResult } from './seed-worker.js';
import { median, seeded } from './stats.js';
import { URING_LABEL, uringRefusal } from './uring.js';

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
  { id: 'fs-promises-uring', label: URING_LABEL, env: { UV_USE_IO_URING: '1' } },
  { id: 'read-sync', label: 'fs.readSync (blocking)' },
];

export interface SeedReport {
  baselineThreads: number;
  rounds: number;
  /** Rounds of the cold set (absent in results saved before it existed). */
  coldRounds?: number;
  repeats: number;
  idleMs?: number;
  fileSizes: number[];
  rows: Array<SeedResult & { label: string }>;
  notes?: string[];
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
    const fd = openSync(path, 'r');
    fsyncSync(fd); // clean pages: the cold rounds' posix_fadvise(DONTNEED) can evict them
    closeSync(fd);
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

type Participant = (typeof PARTICIPANTS)[number];

function runWorker(p: Participant, files: string[], rounds: number, cold: boolean, idleMs: number) {
  const run = { participant: p.id, files, rounds, cold, idleMs };
  const out = execFileSync(process.execPath, [join(here, 'seed-worker.cjs'), JSON.stringify(run)], {
    env: { ...process.env, ...p.env },
  });
  return JSON.parse(out.toString()) as SeedResult;
}

function medianResult(results: SeedResult[]): SeedResult {
  const pick = (k: keyof SeedResult) => median(results.map((r) => r[k] as number));
  const caches = results.map((r) => r.residency).filter((c): c is Residency => !!c);
  const span = (f: (c: Residency) => [number, number]): [number, number] => [
    Math.min(...caches.map((c) => f(c)[0])),
    Math.max(...caches.map((c) => f(c)[1])),
  ];
  return {
    ...results[0]!,
    wallSeconds: pick('wallSeconds'),
    threadsPeak: Math.max(...results.map((r) => r.threadsPeak)),
    rssPeakMB: pick('rssPeakMB'),
    vmPeakMB: pick('vmPeakMB'),
    cpuPercent: pick('cpuPercent'),
    p50us: pick('p50us'),
    p99us: pick('p99us'),
    loop: medianLoop(results.flatMap((r) => (r.loop ? [r.loop] : []))),
    residency:
      caches.length > 0 ? { before: span((c) => c.before), after: span((c) => c.after) } : null,
  };
}

export async function runSeed(options: BenchOptions): Promise<SeedReport> {
  const { log, notes } = noteTaker(options);
  const rounds = options.rounds ?? (options.quick ? 100 : 1000);
  // Cold rounds read from the device and block the blocking participants for milliseconds
  // each: fewer of them keep a run within seconds and still give hundreds of samples per file.
  const coldRounds = Math.max(1, Math.round(rounds / 5));
  const repeats = options.quick ? 1 : 3;
  const idleMs = options.quick ? 100 : 1000;
  const warm = (options.quick ? [24] : [1, 6, 12, 24]).map((n) => ({ n, cold: false, rounds }));
  const sets = [...warm, { n: 24, cold: true, rounds: coldRounds }];
  const refusal = uringRefusal();
  if (refusal !== null) log(`[seed] no io_uring participant: ${refusal}`);
  // A quick run leaves out the 16-thread pool: the same code as fs.promises, one more process.
  const participants = PARTICIPANTS.filter(
    (p) =>
      (refusal === null || p.id !== 'fs-promises-uring') &&
      !(options.quick && p.id === 'fs-promises-16'),
  );
  const { paths, sizes } = makeFiles();
  const baseline = baselineThreads();
  const rows: SeedReport['rows'] = [];
  for (const { n, cold, rounds } of sets) {
    const results = new Map<string, SeedResult[]>();
    for (let r = 1; r <= repeats; r++) {
      for (let i = 0; i < participants.length; i++) {
        const p = participants[(i + r) % participants.length]!; // rotated per repeat
        log(`[seed] N=${n}${cold ? ' cold' : ''}: ${p.label}, run ${r}/${repeats}`);
        results.set(p.id, [
          ...(results.get(p.id) ?? []),
          runWorker(p, paths.slice(0, n), rounds, cold, idleMs),
        ]);
      }
    }
    for (const p of participants)
      rows.push({ ...medianResult(results.get(p.id)!), label: p.label });
  }
  return {
    baselineThreads: baseline,
    rounds,
    coldRounds,
    repeats,
    idleMs,
    fileSizes: sizes,
    rows,
    notes,
  };
}
