// `pnpm bench iops`: 4 KiB random reads of a 1 GiB file outside the repository, page-cached
// (buffered) and O_DIRECT, at queue depth 1, 8, 32, 128; medians of interleaved rounds in one
// process after a warm-up. Ratios against fio --ioengine=libaio (O_DIRECT) and against the C
// reference loop (buffered). Plus a sequential read of the whole file in 1 MiB requests, 8 in
// flight. The @aio/core floors (from the @aio/core issue) are checked on the same numbers.
import { AioContext } from '@aio/core';
import { dataFile, residentBytes, warmPageCache } from './files.js';
import {
  bindSyncReads,
  compileReference,
  coreReads,
  coreSequential,
  cReferenceReads,
  fioReads,
  fioSequential,
  fsPromisesReads,
  fsPromisesSequential,
  hasFio,
  type ReadLoop,
  readSyncReads,
} from './participants.js';
import { median, randomOffsets } from './stats.js';

export type IopsParticipant =
  | 'core'
  | 'bindSync'
  | 'fsPromises'
  | 'readSync'
  | 'cReference'
  | 'fio';

export const IOPS_LABELS: Record<IopsParticipant, string> = {
  core: '@aio/core Promise API',
  bindSync: '@aio/bind sync loop',
  fsPromises: 'fs.promises',
  readSync: 'fs.readSync',
  cReference: 'C reference (same AIO loop)',
  fio: 'fio libaio',
};

export interface IopsRow {
  mode: 'buffered' | 'O_DIRECT';
  qd: number;
  /** Median ops/s per participant (absent: not run, e.g. readSync beyond QD1, fio without fio). */
  ops: Partial<Record<IopsParticipant, number>>;
  rounds: Partial<Record<IopsParticipant, number[]>>;
}

export interface SequentialRow {
  mode: 'buffered' | 'O_DIRECT';
  mbps: { core: number; fsPromises: number; fio: number | null };
}

export interface IopsReport {
  fileMiB: number;
  rounds: number;
  seconds: number;
  rows: IopsRow[];
  sequential: SequentialRow[];
  /** Smallest fraction of the file in the page cache after a buffered run (null: no fincore). */
  minResident: number | null;
  notes: string[];
}

type Run = (o: ReadLoop) => Promise<number | null> | number | null;

export async function runIops(options: {
  quick: boolean;
  log: (line: string) => void;
}): Promise<IopsReport> {
  const notes: string[] = [];
  const log = (line: string) => {
    options.log(line);
    if (line.startsWith('[iops] no ')) notes.push(line.slice(7));
  };
  const size = options.quick ? 256 << 20 : 1 << 30;
  const rounds = options.quick ? 1 : 5;
  const ms = options.quick ? 200 : 1000;
  const depths = options.quick ? [1, 32] : [1, 8, 32, 128];
  log(`[iops] preparing a ${size >> 20} MiB file (reused across runs)`);
  const path = dataFile(`random-${size >> 20}m.bin`, size);
  const offsets = randomOffsets(1 << 20, size, 4096, 42);
  compileReference(log);
  const fio = hasFio();
  if (!fio) log('[iops] no fio on this machine: its columns are empty (install the fio package)');
  const ctx = new AioContext({ maxRequests: 256 });
  const rows: IopsRow[] = [];
  const sequential: SequentialRow[] = [];
  let minResident: number | null = null;
  // Buffered reads must come from the page cache: warm it before every buffered run and
  // check afterwards that it stayed (see warmPageCache).
  const measured = async (direct: boolean, run: Run, o: ReadLoop) => {
    if (direct) return run(o);
    warmPageCache(path);
    const value = await run(o);
    const resident = residentBytes(path);
    if (resident !== null) minResident = Math.min(minResident ?? 1, resident / size);
    return value;
  };
  try {
    for (const direct of [false, true]) {
      for (const qd of depths) {
        const participants: Partial<Record<IopsParticipant, Run>> = {
          core: (o) => coreReads(o, ctx),
          bindSync: bindSyncReads,
          fsPromises: fsPromisesReads,
          cReference: cReferenceReads,
        };
        if (qd === 1) participants.readSync = readSyncReads;
        if (direct && fio) participants.fio = fioReads;
        const loop: ReadLoop = { path, direct, qd, ms, offsets, block: 4096 };
        const results: Partial<Record<IopsParticipant, number[]>> = {};
        for (const [name, run] of Object.entries(participants)) {
          await measured(direct, run, { ...loop, ms: ms / 4 }); // warm-up
          results[name as IopsParticipant] = [];
        }
        for (let r = 1; r <= rounds; r++) {
          for (const [name, run] of Object.entries(participants)) {
            log(
              `[iops] ${direct ? 'O_DIRECT' : 'buffered'} QD${qd}: round ${r}/${rounds}, ${IOPS_LABELS[name as IopsParticipant]}`,
            );
            const value = await measured(direct, run, loop);
            if (value !== null) results[name as IopsParticipant]!.push(value);
          }
        }
        const ops: IopsRow['ops'] = {};
        for (const [name, values] of Object.entries(results)) {
          if (values.length > 0) ops[name as IopsParticipant] = median(values);
        }
        rows.push({ mode: direct ? 'O_DIRECT' : 'buffered', qd, ops, rounds: results });
      }
      log(`[iops] ${direct ? 'O_DIRECT' : 'buffered'} sequential read, 1 MiB x 8 in flight`);
      const seq = { core: [] as number[], fsPromises: [] as number[], fio: [] as number[] };
      for (let r = 0; r < Math.max(1, rounds - 2); r++) {
        if (!direct) warmPageCache(path);
        seq.core.push(await coreSequential(path, direct, 1 << 20, 8, ctx));
        if (!direct) warmPageCache(path);
        seq.fsPromises.push(await fsPromisesSequential(path, direct, 1 << 20, 8));
        if (!direct) warmPageCache(path);
        const f = fioSequential(path, direct, 1 << 20, 8);
        if (f !== null) seq.fio.push(f);
      }
      sequential.push({
        mode: direct ? 'O_DIRECT' : 'buffered',
        mbps: {
          core: median(seq.core),
          fsPromises: median(seq.fsPromises),
          fio: seq.fio.length ? median(seq.fio) : null,
        },
      });
    }
  } finally {
    await ctx.close();
  }
  if (minResident === null)
    notes.push('no fincore: page-cache residency of buffered runs not checked');
  return {
    fileMiB: size >> 20,
    rounds,
    seconds: ms / 1000,
    rows,
    sequential,
    minResident,
    notes,
  };
}

const k = (n: number | undefined) =>
  n === undefined ? '' : n >= 1e4 ? `${Math.round(n / 100) / 10}k` : `${Math.round(n)}`;
const x = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? '' : `${(a / b).toFixed(2)}`;

/** The @aio/core floors, checked on a report. */
export function iopsFloors(
  report: IopsReport,
): Array<{ what: string; value: number | null; floor: number }> {
  const at = (mode: string, qd: number) =>
    report.rows.find((r) => r.mode === mode && r.qd === qd)?.ops;
  const b1 = at('buffered', 1);
  const b32 = at('buffered', 32);
  const d32 = at('O_DIRECT', 32);
  const ratio = (a?: number, b?: number) => (a && b ? a / b : null);
  return [
    {
      what: 'buffered QD1, @aio/core vs fs.promises',
      value: ratio(b1?.core, b1?.fsPromises),
      floor: 8,
    },
    {
      what: 'buffered QD32, @aio/core vs fs.promises',
      value: ratio(b32?.core, b32?.fsPromises),
      floor: 5,
    },
    {
      what: 'O_DIRECT QD32, @aio/core vs fs.promises',
      value: ratio(d32?.core, d32?.fsPromises),
      floor: 1.7,
    },
    {
      what: 'O_DIRECT QD32, @aio/core vs fio libaio',
      value: ratio(d32?.core, d32?.fio),
      floor: 0.85,
    },
  ];
}

export function iopsMarkdown(report: IopsReport): string {
  const lines = [
    `${report.fileMiB} MiB file; ${report.rounds} interleaved round(s) of ${report.seconds} s per participant and case, medians; ops/s.`,
    '',
    report.minResident === null
      ? 'The file is read whole before every buffered run so that it comes from the page cache.'
      : `The file is read whole before every buffered run so that it comes from the page cache; after the runs at least ${(report.minResident * 100).toFixed(1)}% of it was still cached.`,
    '',
    '| mode | QD | @aio/core | @aio/bind sync | fs.promises | fs.readSync | C reference | fio | core / reference | core / fs.promises |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rows) {
    const o = r.ops;
    const reference = r.mode === 'O_DIRECT' ? (o.fio ?? o.cReference) : o.cReference;
    lines.push(
      `| ${r.mode} | ${r.qd} | ${k(o.core)} | ${k(o.bindSync)} | ${k(o.fsPromises)} | ${k(o.readSync)} | ${k(o.cReference)} | ${k(o.fio)} | ${x(o.core, reference)} | ${x(o.core, o.fsPromises)} |`,
    );
  }
  lines.push(
    '',
    'The reference is fio for O_DIRECT (the C loop where fio is missing) and the C loop for buffered reads.',
  );
  lines.push('', 'Sequential read of the whole file, 1 MiB requests, 8 in flight, MB/s:', '');
  lines.push('| mode | @aio/core | fs.promises | fio libaio |', '|---|---|---|---|');
  for (const s of report.sequential) {
    lines.push(
      `| ${s.mode} | ${Math.round(s.mbps.core)} | ${Math.round(s.mbps.fsPromises)} | ${s.mbps.fio === null ? '' : Math.round(s.mbps.fio)} |`,
    );
  }
  lines.push('', '@aio/core floors:', '');
  for (const f of iopsFloors(report)) {
    const met = f.value !== null && f.value >= f.floor;
    lines.push(
      `- ${f.what}: ${f.value === null ? 'not measured' : `${f.value.toFixed(2)}x`} (floor ${f.floor}x): ${met ? 'met' : '**missed**'}`,
    );
  }
  for (const note of report.notes) lines.push('', `Note: ${note}.`);
  return lines.join('\n');
}
