// What `pnpm bench iops` runs: the participants and the cases (mode, cache state, depth).
import { URING_LABEL } from './uring.js';

export type IopsParticipant =
  | 'core'
  | 'aioFile'
  | 'bindSync'
  | 'fsPromises'
  | 'fsUring'
  | 'readSync'
  | 'cReference'
  | 'fio';

export const IOPS_LABELS: Record<IopsParticipant, string> = {
  core: '@aio/core ctx.read',
  aioFile: '@aio/core AioFile.read',
  bindSync: '@aio/bind sync loop',
  fsPromises: 'fs.promises',
  fsUring: URING_LABEL,
  readSync: 'fs.readSync',
  cReference: 'C reference (same AIO loop)',
  fio: 'fio libaio',
};

/** Participants whose I/O goes through @aio/core: the event-loop floors apply to them. */
export const THROUGH_CORE: readonly IopsParticipant[] = ['core', 'aioFile'];

export type CacheState = 'warm' | 'cold' | 'device';

export interface IopsCase {
  mode: 'buffered' | 'O_DIRECT';
  /** warm: checked fully cached before every run; cold: evicted before every run. */
  cache: CacheState;
  qd: number;
  /** fresh: a new offset list per round; repeated: one list every round (the re-check). */
  offsets: 'fresh' | 'repeated';
  label: string;
  participants: IopsParticipant[];
}

const inProcess = (qd: number): IopsParticipant[] => [
  'core',
  'aioFile',
  'bindSync',
  'fsPromises',
  'fsUring',
  ...(qd === 1 ? (['readSync'] as const) : []),
  'cReference',
];

export function iopsCases(quick: boolean): IopsCase[] {
  const warm = quick ? [1, 32] : [1, 8, 32, 128];
  const cold = quick ? [32] : [1, 32];
  const direct = quick ? [32] : [1, 8, 32, 128];
  const cases: IopsCase[] = [
    ...warm.map((qd) => ({
      mode: 'buffered' as const,
      cache: 'warm' as const,
      qd,
      offsets: 'fresh' as const,
      label: 'buffered, cached',
      participants: inProcess(qd),
    })),
    ...cold.map((qd) => ({
      mode: 'buffered' as const,
      cache: 'cold' as const,
      qd,
      offsets: 'fresh' as const,
      label: 'buffered, cold',
      participants: inProcess(qd),
    })),
    ...direct.map((qd) => ({
      mode: 'O_DIRECT' as const,
      cache: 'device' as const,
      qd,
      offsets: 'fresh' as const,
      label: 'O_DIRECT',
      participants: [...inProcess(qd), 'fio' as const],
    })),
  ];
  if (!quick) {
    // Re-check of "@aio/core beats fio and the C reference at depth 128": the first results
    // read one offset list in every run (and fio and the C loop repeated their own sequences),
    // which a host page cache behind the virtual disk could reward.
    cases.push({
      mode: 'O_DIRECT',
      cache: 'device',
      qd: 128,
      offsets: 'repeated',
      label: 'O_DIRECT, one offset list repeated',
      participants: ['core', 'cReference', 'fio'],
    });
  }
  return cases;
}
