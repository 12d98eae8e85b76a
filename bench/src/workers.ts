// `pnpm bench workers`: does @aio/core scale over worker_threads? N = 1 and 2 workers, each
// with its own AioContext (or fs.promises), run random 4 KiB reads of the large file, depth 32
// per worker, for a fixed time, warm and cold, in interleaved rounds; the main thread only
// waits and watches its own event loop. fs.promises workers share the process's one libuv
// threadpool (4 threads); each @aio/core worker has its own kernel ring.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { dataFile } from './files.js';
import { evict, residency, warm } from './http-cache.js';
import { threadsOf } from './http-load.js';
import { LoopMonitor } from './http-loop.js';
import {
  type WorkersCache,
  type WorkersIo,
  type WorkersReport,
  type WorkersRun,
  workersPresentation,
} from './workers-report.js';
import type { WorkerJob, WorkerMessage } from './workers-thread.js';

const here = dirname(fileURLToPath(import.meta.url));
const DEPTH = 32;
const BLOCK = 4096;

/** Kernel AIO rings mapped in this process (every thread's contexts are in the same maps). */
function aioRings(): number {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.includes('[aio]')).length;
}

/** Starts a worker; resolves on its first message. Always pushed to `started` for cleanup. */
function startWorker(job: WorkerJob, started: Worker[]): Promise<Worker> {
  const worker = new Worker(join(here, 'workers-thread.cjs'), { workerData: job });
  started.push(worker);
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve(worker));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
  });
}

function result(worker: Worker): Promise<{ ops: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    worker.once('message', (m: WorkerMessage) => ('ops' in m ? resolve(m) : reject(m)));
    worker.once('error', reject);
  });
}

/** Resolves once the worker exited with code 0 (it closed its context first); else rejects. */
function exited(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`worker exited with code ${code}`)),
    );
  });
}

async function runOnce(
  io: WorkersIo,
  workers: number,
  cache: WorkersCache,
  path: string,
  seconds: number,
): Promise<WorkersRun> {
  if (cache === 'warm') warm([path]);
  else evict([path]);
  const residentBefore = residency([path]);
  const started: Worker[] = [];
  const monitor = new LoopMonitor();
  let threadsPeak = 0;
  const sampler = setInterval(() => {
    threadsPeak = Math.max(threadsPeak, threadsOf(process.pid));
  }, 100);
  try {
    const jobs = Array.from({ length: workers }, (_, index) => ({
      io,
      path,
      seconds,
      depth: DEPTH,
      block: BLOCK,
      index,
      of: workers,
    }));
    const ready = await Promise.all(jobs.map((job) => startWorker(job, started)));
    const results = ready.map(result);
    const exits = ready.map(exited);
    // Awaited below; until then a failing worker must not count as an unhandled rejection.
    for (const e of exits) e.catch(() => {});
    monitor.start();
    for (const w of ready) w.postMessage('go');
    const counts = await Promise.all(results);
    const loop = monitor.stop();
    await Promise.all(exits);
    const perWorker = counts.map((c) => c.ops / c.seconds);
    return {
      io,
      cache,
      workers,
      totalOps: perWorker.reduce((a, b) => a + b, 0),
      perWorker,
      loop,
      threadsPeak: Math.max(threadsPeak, threadsOf(process.pid)),
      residentBefore,
      residentAfter: residency([path]),
    };
  } finally {
    clearInterval(sampler);
    monitor.stop();
    // After a failure: nothing may outlive the run (terminate() of an exited worker is a no-op).
    await Promise.all(started.map((w) => w.terminate()));
  }
}

export async function runWorkers(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<WorkersReport> {
  const fileMiB = options.quick ? 256 : 1024;
  const seconds = options.quick ? 0.5 : 3;
  const rounds = options.quick ? 1 : 3;
  options.log(`[workers] preparing a ${fileMiB} MiB file (reused across runs)`);
  const path = dataFile(`random-${fileMiB}m.bin`, fileMiB * 2 ** 20);
  const ringsBefore = aioRings();
  const runs: WorkersRun[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const cache of ['warm', 'cold'] as WorkersCache[]) {
      for (const workers of [1, 2]) {
        for (const io of ['fs', 'aio'] as WorkersIo[]) {
          const run = await runOnce(io, workers, cache, path, seconds);
          runs.push(run);
          options.log(
            `[workers] round ${r}/${rounds}, ${cache}, ${workers} worker(s), ${io}: ` +
              `${Math.round(run.totalOps)} ops/s, main loop gap ${run.loop.maxGapMs.toFixed(1)} ms`,
          );
        }
      }
    }
  }
  const ringsAfter = aioRings();
  return { fileMiB, seconds, depth: DEPTH, rounds, runs, ringsBefore, ringsAfter };
}
