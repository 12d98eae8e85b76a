// The tables and floors of `pnpm bench iops` (also for results saved before the loop, latency
// and cold columns existed: missing fields render as blanks).

import { AIO_FILE_FORMS } from './aio-file.js';
import { RESIDENCY_LABELS, residencyCell } from './cache.js';
import { type Floor, loopFloor, ratioFloor } from './floors.js';
import type { IopsReport, IopsRow } from './iops.js';
import { IOPS_LABELS, type IopsParticipant, THROUGH_CORE } from './iops-cases.js';
import { latencyCell } from './latency.js';
import { LOOP_LEGEND, loopCell } from './loop.js';
import { URING_LABEL } from './uring.js';

const k = (n: number | undefined) =>
  n === undefined ? '' : n >= 1e4 ? `${Math.round(n / 100) / 10}k` : `${Math.round(n)}`;
const x = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? '' : `${(a / b).toFixed(2)}`;

/** The case of a row, for rows saved before `cache` and `label` existed. */
export function caseOf(r: IopsRow): { cache: string; label: string; offsets: string } {
  const cache = r.cache ?? (r.mode === 'O_DIRECT' ? 'device' : 'warm');
  const label = r.label ?? (r.mode === 'O_DIRECT' ? 'O_DIRECT' : 'buffered, cached');
  return { cache, label, offsets: r.offsets ?? 'repeated' };
}

const ORDER: IopsParticipant[] = [
  'core',
  'aioFile',
  'bindSync',
  'fsPromises',
  'fsUring',
  'readSync',
  'cReference',
  'fio',
];

/** AioFile's label says which read() form ran: the lead checks it after the engine merge. */
function labelOf(report: IopsReport, p: IopsParticipant): string {
  if (p !== 'aioFile' || report.aioFileForm === undefined) return IOPS_LABELS[p];
  return `${IOPS_LABELS[p]} (${report.aioFileForm === 'filehandle' ? 'FileHandle form' : "main's form"})`;
}

function find(report: IopsReport, label: string, qd: number, offsets = 'fresh') {
  return report.rows.find((r) => {
    const c = caseOf(r);
    // Rows saved before the offsets field existed count as the main table's.
    return c.label === label && r.qd === qd && (r.offsets === undefined || c.offsets === offsets);
  });
}

export function iopsFloors(report: IopsReport): Floor[] {
  const ops = (label: string, qd: number) => find(report, label, qd)?.ops;
  const b1 = ops('buffered, cached', 1);
  const b32 = ops('buffered, cached', 32);
  const c32 = ops('buffered, cold', 32);
  const d32 = ops('O_DIRECT', 32);
  const floors = [
    ratioFloor('buffered cached QD1: @aio/core / fs.promises', b1?.core, b1?.fsPromises, 8),
    ratioFloor('buffered cached QD32: @aio/core / fs.promises', b32?.core, b32?.fsPromises, 5),
    ratioFloor('buffered cold QD32: @aio/core / fs.promises', c32?.core, c32?.fsPromises, 1),
    ratioFloor('O_DIRECT QD32: @aio/core / fs.promises', d32?.core, d32?.fsPromises, 1.7),
    ratioFloor('O_DIRECT QD32: @aio/core / fio libaio', d32?.core, d32?.fio, 0.85),
  ];
  for (const r of report.rows) {
    for (const p of THROUGH_CORE) {
      if (r.ops[p] === undefined) continue;
      floors.push(
        loopFloor(`loop, ${caseOf(r).label} QD${r.qd}, ${labelOf(report, p)}`, r.loop?.[p]),
      );
    }
  }
  for (const s of report.sequential ?? [])
    if (s.mbps.core !== undefined)
      floors.push(loopFloor(`loop, ${s.mode} sequential, @aio/core`, s.loop?.core));
  return floors;
}

function summaryTable(report: IopsReport): string[] {
  const lines = [
    `| case | QD | @aio/core | ${labelOf(report, 'aioFile').replace('@aio/core ', '').replace('.read', '')} | @aio/bind sync | fs.promises | fs io_uring | fs.readSync | C reference | fio | core / reference | core / fs.promises | @aio/core loop | page cache before / after |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rows) {
    const o = r.ops;
    const c = caseOf(r);
    if (r.offsets === 'repeated') continue; // in the re-check table
    const reference = r.mode === 'O_DIRECT' ? (o.fio ?? o.cReference) : o.cReference;
    lines.push(
      `| ${c.label} | ${r.qd} | ${ORDER.map((p) => k(o[p])).join(' | ')} | ${x(o.core, reference)} | ${x(o.core, o.fsPromises)} | ${loopCell(r.loop?.core)} | ${residencyCell(r.residency)} |`,
    );
  }
  return lines;
}

function detailTable(report: IopsReport): string[] {
  const lines = [
    '| case | QD | participant | ops/s | vs fs.promises | latency p50 / p99 / p99.9 µs | loop: gap ms / p99 lag ms / ticks |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rows) {
    for (const p of ORDER) {
      if (r.ops[p] === undefined) continue;
      lines.push(
        `| ${caseOf(r).label} | ${r.qd} | ${labelOf(report, p)} | ${k(r.ops[p])} | ${x(r.ops[p], r.ops.fsPromises)} | ${latencyCell(r.latency?.[p])} | ${loopCell(r.loop?.[p])} |`,
      );
    }
  }
  return lines;
}

function recheck(report: IopsReport): string[] {
  const fresh = find(report, 'O_DIRECT', 128);
  const repeated = find(report, 'O_DIRECT, one offset list repeated', 128, 'repeated');
  if (!fresh || !repeated) return [];
  const line = (name: string, o: IopsRow['ops']) =>
    `| ${name} | ${k(o.core)} | ${k(o.cReference)} | ${k(o.fio)} | ${x(o.core, o.cReference)} | ${x(o.core, o.fio)} |`;
  return [
    '',
    'Re-check at O_DIRECT QD128 (the first results had @aio/core ahead of fio and the C loop). "repeated": one offset list read in every round by @aio/core and the C loop, fio with one fixed seed; "fresh": the main table\'s method.',
    '',
    '| offsets | @aio/core | C reference | fio | core / C | core / fio |',
    '|---|---|---|---|---|---|',
    line('fresh per round (all read the same)', fresh.ops),
    line('one list repeated every round', repeated.ops),
  ];
}

function sequentialTable(report: IopsReport): string[] {
  const lines = [
    '',
    'Sequential read of the whole file, 1 MiB requests, 8 in flight, MB/s (loop beside each):',
    '',
    '| mode | @aio/core | loop | fs.promises | loop | fs io_uring | loop | fio libaio |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const mb = (v: number | null | undefined) =>
    v === undefined || v === null ? '' : `${Math.round(v)}`;
  for (const s of report.sequential ?? []) {
    const m = s.mbps as Record<string, number | null | undefined>;
    const l = s.loop ?? {};
    lines.push(
      `| ${s.mode} | ${mb(m.core)} | ${loopCell(l.core)} | ${mb(m.fsPromises)} | ${loopCell(l.fsPromises)} | ${mb(m.fsUring)} | ${loopCell(l.fsUring)} | ${mb(m.fio)} |`,
    );
  }
  return lines;
}

function method(report: IopsReport): string[] {
  const lines: string[] = [];
  if (report.idle) {
    const fastest = Math.max(
      ...report.rows.flatMap((r) =>
        [r.ops.core, r.ops.bindSync, r.ops.readSync].filter((v) => v !== undefined),
      ),
    );
    const share = ((2 * report.timerNs) / report.sampleEvery / (1e9 / fastest)) * 100;
    lines.push(
      `Latency: 1 request in ${report.sampleEvery} is timed (two performance.now() calls of ${report.timerNs.toFixed(0)} ns each here), from the call that issues it to the code after its completion; at the fastest rate measured (${k(fastest)} ops/s) that is ${share.toFixed(1)}% of the time per request. The C reference samples the same way (clock_gettime); fio reports its own total-latency percentiles.`,
      '',
      `${LOOP_LEGEND} The idle loop here: ${report.idle.ticks} ticks in ${(report.idle.ms / 1000).toFixed(1)} s.`,
      '',
      `Page cache: residency measured with ${RESIDENCY_LABELS[report.residencyMethod]}; cached cases are checked (and re-read if needed) before every run, cold ones evicted with posix_fadvise(POSIX_FADV_DONTNEED). The virtual disk is backed by the host's page cache, so a guest-cold read may still be fast.`,
      '',
      `Offsets: every participant of a round reads the same list (fresh per case and round; the C reference and the io_uring peer get it through a file); fio reads its own random map over the same file, seeded per round. The order of participants rotates every round.`,
      '',
      `AioFile: ${AIO_FILE_FORMS[report.aioFileForm]}. ${URING_LABEL}: ${'rings' in report.uring ? (report.uring.rings > 0 ? `its own process, ${report.uring.rings} io_uring instance(s) seen in it` : 'its own process, but libuv set up **no** io_uring there') : `skipped: ${report.uring.skipped}`}.`,
    );
  }
  return lines;
}

export function iopsMarkdown(report: IopsReport): string {
  const lines = [
    `${report.fileMiB} MiB file; ${report.rounds} interleaved round(s) per case of ${report.seconds} s per participant (${report.rows.some((r) => r.seconds !== undefined && r.seconds !== report.seconds) ? `cached cases: ${report.seconds / 2} s` : 'every case'}), medians; ops/s.`,
    '',
    ...summaryTable(report),
    '',
    'The reference is fio for O_DIRECT (the C loop where fio is missing) and the C loop for buffered reads. @aio/core loop: see below.',
    '',
    ...detailTable(report),
    ...recheck(report),
    ...sequentialTable(report),
    '',
    ...method(report),
  ];
  for (const note of report.notes ?? []) lines.push('', `Note: ${note}.`);
  return lines.join('\n');
}
