// The table and floors of `pnpm bench files` (also for results saved as a bare row array,
// before the loop, io_uring and cold columns existed).
import { RESIDENCY_LABELS, residencyCell } from './cache.js';
import { type Floor, loopFloor, ratioFloor } from './floors.js';
import { LOOP_LEGEND, loopCell } from './loop.js';
import type { TransferReport, TransferRow } from './transfer.js';
import { URING_LABEL } from './uring.js';

/** Saved results of either layout as a report. */
export function asTransferReport(raw: TransferReport | TransferRow[]): Partial<TransferReport> & {
  rows: TransferRow[];
} {
  return Array.isArray(raw) ? { rows: raw } : raw;
}

function pick(rows: TransferRow[], cache: string, kind: string, chunks: 'default' | '1 MiB') {
  return rows.find(
    (r) =>
      (r.cache ?? 'warm') === cache &&
      r.case.startsWith(kind) &&
      r.case.includes('1 MiB chunks') === (chunks === '1 MiB'),
  );
}

export function transferFloors(raw: TransferReport | TransferRow[]): Floor[] {
  const { rows } = asTransferReport(raw);
  const ratio = (what: string, r: TransferRow | undefined) => ratioFloor(what, r?.aio, r?.fs, 1);
  const floors = [
    ratio('cold readFile: @aio/core / node:fs', pick(rows, 'cold', 'readFile', 'default')),
    ratio(
      'cold read stream, 64 KiB chunks: @aio/core / node:fs',
      pick(rows, 'cold', 'read stream', 'default'),
    ),
    ratio(
      'cold read stream, 1 MiB chunks: @aio/core / node:fs',
      pick(rows, 'cold', 'read stream', '1 MiB'),
    ),
    ratio(
      'cached read stream, 1 MiB chunks: @aio/core / fs.createReadStream',
      pick(rows, 'warm', 'read stream', '1 MiB'),
    ),
  ];
  for (const r of rows) floors.push(loopFloor(`loop, ${r.case}, @aio/core`, r.loop?.aio));
  return floors;
}

const mb = (v: number | undefined) => (v === undefined ? '' : `${Math.round(v)}`);

export function transferMarkdown(raw: TransferReport | TransferRow[]): string {
  const report = asTransferReport(raw);
  const lines = [
    '| case | @aio/core MB/s | loop | node:fs MB/s | loop | fs io_uring MB/s | loop | @aio/core / node:fs | page cache before / after |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rows) {
    const l = r.loop ?? {};
    lines.push(
      `| ${r.case} | ${mb(r.aio)} | ${loopCell(l.aio)} | ${mb(r.fs)} | ${loopCell(l.fs)} | ${mb(r.uring)} | ${loopCell(l.uring)} | ${(r.aio / r.fs).toFixed(2)}x | ${residencyCell(r.residency)} |`,
    );
  }
  if (report.idle && report.residencyMethod && report.uring) {
    const uring =
      'rings' in report.uring
        ? report.uring.rings > 0
          ? `its own process (${report.uring.rings} io_uring instance(s) seen in it)`
          : 'its own process, but libuv set up **no** io_uring there'
        : `skipped: ${report.uring.skipped}`;
    lines.push(
      '',
      `${LOOP_LEGEND} The idle loop here: ${report.idle.ticks} ticks in ${(report.idle.ms / 1000).toFixed(1)} s.`,
      '',
      `Page cache: residency measured with ${RESIDENCY_LABELS[report.residencyMethod]} before and after every run (min-max over the runs of a case); cached cases are checked (and re-read if needed) before every run, cold ones evicted with posix_fadvise(POSIX_FADV_DONTNEED). The virtual disk is backed by the host's page cache, so a guest-cold read may still be fast.`,
      '',
      `${URING_LABEL}: ${uring}; the O_DIRECT cases compare with node:fs reading the cached file.`,
    );
  }
  for (const note of report.notes ?? []) lines.push('', `Note: ${note}.`);
  return lines.join('\n');
}
