// `pnpm bench core`: the @aio/core performance floors, measured as medians of interleaved
// rounds in one process: @aio/core's Promise API, the same loop on @aio/bind without the event
// loop (the ceiling), fs.promises, and fio for O_DIRECT.
import { AioContext } from '@aio/core';
import { dataFile, warmPageCache } from './files.js';
import {
  bindSyncReads,
  coreReads,
  fioReads,
  fsPromisesReads,
  type ReadLoop,
} from './participants.js';
import { median, randomOffsets } from './stats.js';

interface Case {
  name: string;
  direct: boolean;
  qd: number;
  /** Floors from the @aio/core issue: vs fs.promises, and vs fio (O_DIRECT). */
  floorVsFs: number;
  floorVsFio?: number;
}

const CASES: Case[] = [
  { name: 'buffered 4 KiB random, QD1', direct: false, qd: 1, floorVsFs: 8 },
  { name: 'buffered 4 KiB random, QD32', direct: false, qd: 32, floorVsFs: 5 },
  { name: 'O_DIRECT 4 KiB random, QD1', direct: true, qd: 1, floorVsFs: 1 },
  { name: 'O_DIRECT 4 KiB random, QD32', direct: true, qd: 32, floorVsFs: 1.7, floorVsFio: 0.85 },
];

export interface CoreRow {
  case: string;
  core: number;
  bindSync: number;
  fsPromises: number;
  fio: number | null;
  rounds: Record<string, number[]>;
  floorVsFs: number;
  floorVsFio: number | null;
}

type Participant = (o: ReadLoop) => Promise<number | null> | number | null;

export async function runCore(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<CoreRow[]> {
  const size = options.quick ? 256 << 20 : 1 << 30;
  const rounds = options.quick ? 3 : 7;
  const ms = options.quick ? 300 : 1000;
  options.log(`[core] preparing a ${size >> 20} MiB file (reused across runs)`);
  const path = dataFile(`random-${size >> 20}m.bin`, size);
  warmPageCache(path);
  const offsets = randomOffsets(1 << 20, size, 4096, 42);
  const ctx = new AioContext({ maxRequests: 256 });
  const rows: CoreRow[] = [];
  try {
    for (const c of CASES) {
      const participants: Record<string, Participant> = {
        core: (o) => coreReads(o, ctx),
        bindSync: bindSyncReads,
        fsPromises: fsPromisesReads,
      };
      if (c.direct) participants.fio = fioReads;
      const loop: ReadLoop = { path, direct: c.direct, qd: c.qd, ms, offsets, block: 4096 };
      const results: Record<string, number[]> = {};
      for (const [name, run] of Object.entries(participants)) {
        await run({ ...loop, ms: ms / 3 }); // warm up (JIT, caches) before measuring
        results[name] = [];
      }
      for (let r = 1; r <= rounds; r++) {
        for (const [name, run] of Object.entries(participants)) {
          options.log(`[core] ${c.name}: round ${r}/${rounds}, ${name}`);
          const value = await run(loop);
          if (value !== null) results[name]!.push(value);
        }
      }
      const fio = results.fio?.length ? median(results.fio) : null;
      rows.push({
        case: c.name,
        core: median(results.core!),
        bindSync: median(results.bindSync!),
        fsPromises: median(results.fsPromises!),
        fio,
        rounds: results,
        floorVsFs: c.floorVsFs,
        floorVsFio: c.floorVsFio ?? null,
      });
    }
  } finally {
    await ctx.close();
  }
  return rows;
}

const k = (n: number) => `${Math.round(n / 100) / 10}k`;

export function coreMarkdown(rows: CoreRow[]): string {
  const lines = [
    '| case | @aio/core | @aio/bind sync loop (ceiling) | fs.promises | fio libaio | core / fs.promises | core / fio | core / ceiling |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const vsFs = r.core / r.fsPromises;
    const vsFio = r.fio === null ? null : r.core / r.fio;
    const fsMark = vsFs >= r.floorVsFs ? '' : ' (below floor)';
    const fioMark =
      vsFio !== null && r.floorVsFio !== null && vsFio < r.floorVsFio ? ' (below floor)' : '';
    lines.push(
      `| ${r.case} | ${k(r.core)} | ${k(r.bindSync)} | ${k(r.fsPromises)} | ${r.fio === null ? 'n/a' : k(r.fio)} | ` +
        `${vsFs.toFixed(2)}x (floor ${r.floorVsFs}x)${fsMark} | ` +
        `${vsFio === null ? 'n/a' : `${vsFio.toFixed(2)}${r.floorVsFio === null ? '' : ` (floor ${r.floorVsFio})`}${fioMark}`} | ` +
        `${(r.core / r.bindSync).toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}
