// `pnpm bench files`: whole-file throughput of @aio/core's readFile, writeFile and streams
// against fs.promises.readFile / writeFile and fs.createReadStream, and the same node:fs calls
// on io_uring in a peer process; medians of interleaved rounds (order rotated per round), MB/s,
// with the event loop measured in every run. Cached cases are checked cached before every run,
// cold ones evicted before every run; files are written to fresh files outside the repository.
import { rmSync } from 'node:fs';
import { readFile as fsReadFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ensureCached,
  evict,
  type Residency,
  ResidencyLog,
  type ResidencyMethod,
  residency,
  residencyMethod,
} from './cache.js';
import { benchDir, dataFile } from './files.js';
import {
  type IdleBaseline,
  idleBaseline,
  type LoopStat,
  loopStat,
  medianLoop,
  probed,
} from './loop.js';
import { type BenchOptions, noteTaker } from './options.js';
import { median } from './stats.js';
import { type FileCase, type FilesParticipant, fileCases } from './transfer-cases.js';
import { UringPeer } from './uring.js';

export interface TransferRow {
  case: string;
  bytes: number;
  cache?: FileCase['cache'];
  /** Median MB/s of @aio/core and node:fs (fields kept from the first results' layout). */
  aio: number;
  fs: number;
  /** Median MB/s of node:fs on io_uring (absent: skipped). */
  uring?: number;
  rounds: { aio: number[]; fs: number[]; uring?: number[] };
  loop?: Partial<Record<FilesParticipant, LoopStat>>;
  residency?: Residency | null;
}

export interface TransferReport {
  rows: TransferRow[];
  idle: IdleBaseline;
  residencyMethod: ResidencyMethod;
  uring: { rings: number } | { skipped: string };
  notes: string[];
}

type Outcome = { mbps: number; loop: LoopStat };

export async function runTransfer(options: BenchOptions): Promise<TransferReport> {
  const { log, notes } = noteTaker(options);
  const rounds = options.rounds ?? (options.quick ? 1 : 5);
  const big = options.quick ? 64 << 20 : 256 << 20;
  const paths = {
    big: dataFile(`random-${big >> 20}m.bin`, big),
    small: dataFile('random-1m.bin', 1 << 20),
    out: join(benchDir(), 'write-target.bin'),
  };
  const payload = await fsReadFile(paths.big);
  const idle = await idleBaseline(options.quick ? 200 : 1000);
  const peer = await UringPeer.start(options.quick ? 200 : 1000, log);
  const rows: TransferRow[] = [];
  try {
    for (const c of fileCases(big, paths, payload, options.quick)) {
      const got: Record<FilesParticipant, Outcome[]> = { aio: [], fs: [], uring: [] };
      const cache = new ResidencyLog();
      const once = async (p: FilesParticipant): Promise<Outcome | null> => {
        if (c.cache === 'cold') evict(c.reads);
        else if (c.cache !== 'write') ensureCached(c.reads);
        const before = c.cache === 'write' ? 0 : residency(c.reads);
        let outcome: Outcome | null;
        if (p === 'uring') {
          if (peer === null) return null;
          const r = await peer.run(c.uring);
          outcome = { mbps: r.value, loop: r.loop };
        } else {
          const run = c[p];
          const { value, loop } = await probed(async () => {
            const start = performance.now();
            await run();
            return c.bytes / 1e6 / ((performance.now() - start) / 1000);
          });
          outcome = { mbps: value, loop: loopStat(loop, idle) };
        }
        if (c.cache !== 'write') cache.add(before, residency(c.reads));
        return outcome;
      };
      const order: FilesParticipant[] = ['aio', 'fs', 'uring'];
      if (!options.quick) for (const p of order) await once(p); // warm-up
      for (let r = 1; r <= rounds; r++) {
        log(`[files] ${c.name}: round ${r}/${rounds}`);
        for (let i = 0; i < order.length; i++) {
          const p = order[(i + r) % order.length]!;
          const outcome = await once(p);
          if (outcome) got[p].push(outcome);
        }
      }
      rows.push(summarize(c, got, c.cache === 'write' ? null : cache.summary()));
    }
  } finally {
    await peer?.close();
    rmSync(paths.out, { force: true });
  }
  return {
    rows,
    idle,
    residencyMethod: residencyMethod(),
    uring: peer
      ? { rings: peer.rings }
      : { skipped: notes.find((n) => n.includes('io_uring')) ?? 'not started' },
    notes,
  };
}

function summarize(
  c: FileCase,
  got: Record<FilesParticipant, Outcome[]>,
  residency: Residency | null,
): TransferRow {
  const mbps = (p: FilesParticipant) => got[p].map((o) => o.mbps);
  const row: TransferRow = {
    case: c.name,
    bytes: c.bytes,
    cache: c.cache,
    aio: median(mbps('aio')),
    fs: median(mbps('fs')),
    rounds: { aio: mbps('aio'), fs: mbps('fs') },
    loop: {},
    residency,
  };
  if (got.uring.length > 0) {
    row.uring = median(mbps('uring'));
    row.rounds.uring = mbps('uring');
  }
  for (const p of ['aio', 'fs', 'uring'] as const) {
    const stat = medianLoop(got[p].map((o) => o.loop));
    if (stat) row.loop![p] = stat;
  }
  return row;
}
