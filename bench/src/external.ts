// The participants that are other processes: the C reference loop (bench/c/aio-ref.c, fed the
// same offset file as the Node loops) and fio (its own random map over the same file, seeded
// per round). They have no event loop: their loop columns say n/a.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadLoop, ReadResult } from './participants.js';

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

export interface ReferenceResult extends ReadResult {
  /** Completions taken per ring reap or io_getevents call. */
  perReap: number;
}

/** The C reference loop over the offsets in `offsetsPath`, or null when it is not compiled. */
export function cReferenceReads(o: ReadLoop, offsetsPath: string): ReferenceResult | null {
  if (!cReference) return null;
  const out = execFileSync(cReference, [
    o.path,
    o.direct ? '1' : '0',
    String(o.qd),
    String(o.ms / 1000),
    offsetsPath,
    String(o.block),
  ]);
  const r = JSON.parse(out.toString());
  // The same offsets as the Node loops, or the comparison is not fair: check what it loaded.
  const sum = o.offsets.reduce((a, b) => a + b, 0);
  if (r.offsets !== o.offsets.length || r.offsetSum !== sum)
    throw new Error(
      `the C reference loaded ${r.offsets} offsets summing to ${r.offsetSum}, not the ${o.offsets.length} summing to ${sum} the bench wrote to ${offsetsPath}`,
    );
  return {
    ops: r.opsPerSecond,
    perReap: r.reaps > 0 ? r.ops / r.reaps : 0,
    latency:
      r.samples > 0
        ? { p50us: r.p50us, p99us: r.p99us, p999us: r.p999us, samples: r.samples }
        : null,
  };
}

let fio: boolean | undefined;

/** Whether fio is on the PATH (checked once; the caller says so when it is not). */
export function hasFio(): boolean {
  if (fio === undefined) {
    try {
      execFileSync('fio', ['--version'], { stdio: 'ignore' });
      fio = true;
    } catch {
      fio = false;
    }
  }
  return fio;
}

function runFio(args: string[]): { read: unknown } {
  // --invalidate=0: fio drops the file from the page cache first by default; the bench sets
  // the cache state itself (evicted for a cold case, checked cached for a warm one).
  const out = execFileSync('fio', [...args, '--invalidate=0', '--output-format=json'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out.toString()).jobs[0];
}

/** fio --ioengine=libaio random reads seeded with `seed`, or null when fio is not installed. */
export function fioReads(o: ReadLoop, seed: number): ReadResult | null {
  if (!hasFio()) return null;
  const job = runFio([
    '--name=bench',
    `--filename=${o.path}`,
    '--rw=randread',
    `--bs=${o.block}`,
    '--ioengine=libaio',
    `--direct=${o.direct ? 1 : 0}`,
    `--iodepth=${o.qd}`,
    `--runtime=${Math.round(o.ms)}ms`,
    '--time_based',
    `--randseed=${seed}`,
    // Total latency (submission to completion) percentiles, like the other participants'.
    '--lat_percentiles=1',
    '--clat_percentiles=0',
  ]);
  const read = job.read as { iops: number; lat_ns: { percentile?: Record<string, number> } };
  const p = read.lat_ns.percentile;
  return {
    ops: read.iops,
    latency: p
      ? {
          p50us: p['50.000000']! / 1000,
          p99us: p['99.000000']! / 1000,
          p999us: p['99.900000']! / 1000,
          samples: 0,
        }
      : null,
  };
}

/** fio sequential read of the whole file, MB/s, or null without fio. */
export function fioSequential(path: string, direct: boolean, chunk: number, inFlight: number) {
  if (!hasFio()) return null;
  const job = runFio([
    '--name=seq',
    `--filename=${path}`,
    '--rw=read',
    `--bs=${chunk}`,
    '--ioengine=libaio',
    `--direct=${direct ? 1 : 0}`,
    `--iodepth=${inFlight}`,
  ]);
  return (job.read as { bw_bytes: number }).bw_bytes / 1e6;
}
