// The sequential part of `pnpm bench iops`: the whole file in 1 MiB requests, 8 in flight,
// buffered (checked cached before every run) and O_DIRECT, with the event loop measured.
import { ensureCached } from './cache.js';
import { fioSequential } from './external.js';
import type { RunEnv } from './iops-run.js';
import { type LoopStat, loopStat, medianLoop, probed } from './loop.js';
import { coreSequential, fsPromisesSequential, type SequentialRead } from './sequential.js';
import { median } from './stats.js';

export type SequentialParticipant = 'core' | 'fsPromises' | 'fsUring' | 'fio';

export interface SequentialRow {
  mode: 'buffered' | 'O_DIRECT';
  /** Median MB/s per participant. */
  mbps: Partial<Record<SequentialParticipant, number>>;
  /** Median loop stats; null: another process without a loop. */
  loop: Partial<Record<SequentialParticipant, LoopStat | null>>;
}

type Run = () => Promise<{ mbps: number; loop: LoopStat | null } | null>;

export async function runSequential(options: {
  path: string;
  rounds: number;
  /** O_DIRECT or not, for each mode to run. */
  modes: boolean[];
  env: RunEnv;
  log: (line: string) => void;
}): Promise<SequentialRow[]> {
  const { env } = options;
  const rows: SequentialRow[] = [];
  for (const direct of options.modes) {
    const s: SequentialRead = { path: options.path, direct, chunk: 1 << 20, inFlight: 8 };
    const probe = async (work: () => Promise<number>) => {
      const { value, loop } = await probed(work);
      return { mbps: value, loop: loopStat(loop, env.idle) };
    };
    const runs: Record<SequentialParticipant, Run> = {
      core: () => probe(() => coreSequential(s, env.ctx)),
      fsPromises: () => probe(() => fsPromisesSequential(s)),
      fsUring: async () => {
        if (env.peer === null) return null;
        const r = await env.peer.run({ kind: 'sequential', read: s });
        return { mbps: r.value, loop: r.loop };
      },
      fio: async () => {
        const mbps = fioSequential(s.path, direct, s.chunk, s.inFlight);
        return mbps === null ? null : { mbps, loop: null };
      },
    };
    const mode = direct ? 'O_DIRECT' : 'buffered';
    const got = new Map<SequentialParticipant, Array<{ mbps: number; loop: LoopStat | null }>>();
    for (let r = 1; r <= options.rounds; r++) {
      options.log(
        `[iops] ${mode} sequential read, 1 MiB x 8 in flight: round ${r}/${options.rounds}`,
      );
      for (const [name, run] of Object.entries(runs) as Array<[SequentialParticipant, Run]>) {
        if (!direct) ensureCached(s.path);
        const result = await run();
        if (result !== null) got.set(name, [...(got.get(name) ?? []), result]);
      }
    }
    const row: SequentialRow = { mode, mbps: {}, loop: {} };
    for (const [name, list] of got) {
      row.mbps[name] = median(list.map((x) => x.mbps));
      const loops = list.map((x) => x.loop).filter((l): l is LoopStat => l !== null);
      row.loop[name] = loops.length === 0 ? null : medianLoop(loops);
    }
    rows.push(row);
  }
  return rows;
}
