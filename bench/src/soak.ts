// `pnpm bench soak` (not part of CI): one million mixed operations through @aio/core, with
// RSS, heap, open fds, this process's AIO rings and the system-wide aio-nr sampled along the
// way (after a forced GC). Growth is measured from the first sample after a warm-up. The event
// loop is measured over the whole run (the sampling itself left out) against an idle loop.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { aioLimits } from '@aio/bind';
import { AioContext, allocAligned, open, readFile, writeFile } from '@aio/core';
import { benchDir } from './files.js';
import { type Floor, loopFloor } from './floors.js';
import { idleBaseline, LOOP_LEGEND, LoopProbe, type LoopStat, loopCell, loopStat } from './loop.js';
import type { BenchOptions } from './options.js';
import { seeded } from './stats.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface SoakSample {
  ops: number;
  rssMB: number;
  heapMB: number;
  /** Memory of ArrayBuffers and Buffers (outside the V8 heap). */
  buffersMB: number;
  fds: number;
  rings: number;
  aioNr: number;
}

export interface SoakResult {
  total: number;
  seconds: number;
  samples: SoakSample[];
  /** From the sample at 20% of the run (after the warm-up) to the last. */
  growth: { rssMB: number; fds: number; rings: number; aioNr: number };
  /** Least-squares slope of RSS over the samples from 20% on, in MB per million operations. */
  rssSlopeMBPerMillion: number;
  /** The event loop over the whole run (absent in results saved before it was measured). */
  loop?: LoopStat;
}

function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function sample(ops: number): SoakSample {
  gc();
  const mem = process.memoryUsage();
  return {
    ops,
    rssMB: Math.round((mem.rss / 2 ** 20) * 10) / 10,
    heapMB: Math.round((mem.heapUsed / 2 ** 20) * 10) / 10,
    buffersMB: Math.round((mem.arrayBuffers / 2 ** 20) * 10) / 10,
    fds: readdirSync('/proc/self/fd').length,
    rings: readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .filter((l) => l.includes('[aio]')).length,
    aioNr: aioLimits().nr,
  };
}

export async function runSoak(options: BenchOptions): Promise<SoakResult> {
  const total = options.quick ? 50_000 : 1_000_000;
  const every = total / 20;
  const dir = join(benchDir(), 'soak');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const paths = [0, 1, 2, 3].map((i) => join(dir, `f${i}`));
  for (const p of paths) writeFileSync(p, Buffer.alloc(1 << 20, 1));
  const rand = seeded(7);
  const ctx = new AioContext({ maxRequests: 128 });
  const files = await Promise.all(
    paths.map((p, i) => open(p, 'r+', { direct: i % 2 === 1, context: ctx })),
  );
  const samples: SoakSample[] = [];
  const idle = await idleBaseline(options.quick ? 200 : 1000);
  const probe = new LoopProbe();
  const start = performance.now();
  let done = 0;
  // A mix: mostly 4 KiB reads and writes at random places (half on O_DIRECT files, aligned
  // and not), some vectored ones, a few syncs, and now and then a readFile/writeFile of its own.
  const one = async (): Promise<void> => {
    const f = files[Math.floor(rand() * files.length)]!;
    const r = rand();
    const pos = Math.floor(rand() * 250) * (r < 0.5 ? 4096 : 4093);
    if (r < 0.45)
      await f.read(f.direct ? allocAligned(4096) : Buffer.allocUnsafe(4096), 0, 4096, pos);
    else if (r < 0.85) await f.write(Buffer.alloc(4096, done & 0xff), 0, 4096, pos);
    else if (r < 0.92) await f.readv([Buffer.allocUnsafe(1000), Buffer.allocUnsafe(3096)], pos);
    else if (r < 0.98) await f.writev([Buffer.alloc(2048, 2), Buffer.alloc(2048, 3)], pos);
    else if (r < 0.995) await (r < 0.99 ? f.datasync() : f.sync());
    else if (r < 0.998) await readFile(paths[0]!, { context: ctx });
    else await writeFile(join(dir, 'w'), Buffer.alloc(65_536, 4), { context: ctx });
  };
  let completed = 0;
  const workers = Array.from({ length: 32 }, async () => {
    while (done < total) {
      done++;
      await one();
      completed++;
      if (completed % every === 0) {
        const s = probe.exclude(() => sample(completed)); // a forced GC: the bench's, not @aio/core's
        samples.push(s);
        options.log(
          `[soak] ${completed}/${total} ops: rss ${s.rssMB} MB, heap ${s.heapMB} MB, fds ${s.fds}, rings ${s.rings}, aio-nr ${s.aioNr}`,
        );
      }
    }
  });
  await Promise.all(workers);
  const seconds = (performance.now() - start) / 1000;
  const loop = loopStat(probe.stop(), idle);
  for (const f of files) await f.close();
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
  const from = Math.max(0, Math.round(samples.length / 5) - 1); // the sample at 20%: after the warm-up
  const base = samples[from]!;
  const last = samples[samples.length - 1]!;
  const tail = samples.slice(from).map((x): [number, number] => [x.ops / 1e6, x.rssMB]);
  return {
    total,
    seconds,
    samples,
    rssSlopeMBPerMillion: Math.round(slope(tail) * 10) / 10,
    loop,
    growth: {
      rssMB: Math.round((last.rssMB - base.rssMB) * 10) / 10,
      fds: last.fds - base.fds,
      rings: last.rings - base.rings,
      aioNr: last.aioNr - base.aioNr,
    },
  };
}

export function soakMarkdown(r: SoakResult): string {
  const from = r.samples[Math.max(0, Math.round(r.samples.length / 5) - 1)]!;
  const rss = r.samples.map((x) => x.rssMB);
  const lines = [
    `${r.total.toLocaleString('en')} operations in ${r.seconds.toFixed(1)} s ` +
      `(${Math.round(r.total / r.seconds).toLocaleString('en')} ops/s). From the sample at ` +
      `${from.ops.toLocaleString('en')} operations (20%, after the warm-up) to the last: RSS ${r.growth.rssMB} MB ` +
      `(target < 10), fds ${r.growth.fds}, AIO rings ${r.growth.rings}, aio-nr ${r.growth.aioNr} (targets 0). ` +
      `RSS slope over that span: ${r.rssSlopeMBPerMillion} MB per million operations; RSS over the whole run ` +
      `${Math.min(...rss)}-${Math.max(...rss)} MB.`,
    '',
    ...(r.loop
      ? [
          `Event loop over the run (samples left out): ${loopCell(r.loop)}. ${LOOP_LEGEND.replace('; medians over the rounds', '')}`,
          '',
        ]
      : []),
    '| operations | RSS MB | heap MB | ArrayBuffers MB | fds | AIO rings | aio-nr |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of r.samples) {
    lines.push(
      `| ${s.ops.toLocaleString('en')} | ${s.rssMB} | ${s.heapMB} | ${s.buffersMB} | ${s.fds} | ${s.rings} | ${s.aioNr} |`,
    );
  }
  return lines.join('\n');
}

export function soakFloors(r: SoakResult): Floor[] {
  return [loopFloor('loop over the whole soak, @aio/core', r.loop)];
}
