// One run of one iops participant, with its event-loop stat: measured here for the
// participants in this process, by the peer for fs.promises on io_uring, n/a (null) for the
// C reference and fio.
import type { AioContext } from '@aio/core';
import type { AioFileForm } from './aio-file.js';
import { cReferenceReads, fioReads } from './external.js';
import type { IopsParticipant } from './iops-cases.js';
import type { Latency } from './latency.js';
import { type IdleBaseline, type LoopStat, loopStat, probed } from './loop.js';
import {
  aioFileReads,
  bindSyncReads,
  coreReads,
  fsPromisesReads,
  type ReadLoop,
  type ReadResult,
  readSyncReads,
} from './participants.js';
import type { UringPeer } from './uring.js';

/** What the runs of one benchmark share. */
export interface RunEnv {
  ctx: AioContext;
  form: AioFileForm;
  peer: UringPeer | null;
  idle: IdleBaseline;
}

export interface RunResult {
  ops: number;
  latency: Latency | null;
  loop: LoopStat | null;
  perReap?: number;
}

/** The offset list of a round: in memory, in a file (C reference, peer), and its seed (fio). */
export interface RoundOffsets {
  seed: number;
  offsets: Float64Array;
  path: string;
}

async function here(env: RunEnv, work: () => Promise<ReadResult> | ReadResult): Promise<RunResult> {
  const { value, loop } = await probed(work);
  return { ...value, loop: loopStat(loop, env.idle) };
}

/** Runs `p` once; null when it cannot run here (no C compiler, no fio, no io_uring). */
export async function runOne(
  p: IopsParticipant,
  o: ReadLoop,
  round: RoundOffsets,
  env: RunEnv,
): Promise<RunResult | null> {
  switch (p) {
    case 'core':
      return here(env, () => coreReads(o, env.ctx));
    case 'aioFile':
      return here(env, () => aioFileReads(o, env.ctx, env.form));
    case 'bindSync':
      return here(env, () => bindSyncReads(o));
    case 'fsPromises':
      return here(env, () => fsPromisesReads(o));
    case 'readSync':
      return here(env, () => readSyncReads(o));
    case 'fsUring': {
      if (env.peer === null) return null;
      const { offsets: _, ...loop } = o;
      const offsetSum = o.offsets.reduce((a, b) => a + b, 0);
      const r = await env.peer.run({ kind: 'random', loop, offsetsPath: round.path, offsetSum });
      return { ops: r.value, latency: r.latency, loop: r.loop };
    }
    case 'cReference': {
      const r = cReferenceReads(o, round.path);
      return r && { ...r, loop: null };
    }
    case 'fio': {
      const r = fioReads(o, round.seed);
      return r && { ...r, loop: null };
    }
  }
}
