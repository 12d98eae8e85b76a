// The table of `pnpm bench analyze`.
import { ANALYZE_LABELS, type AnalyzeReport } from './analyze.js';

const n1 = (v: number | null | undefined) => (v === null || v === undefined ? '' : v.toFixed(1));
const n0 = (v: number | null | undefined) =>
  v === null || v === undefined ? '' : `${Math.round(v)}`;
const k = (v: number) => (v >= 1e4 ? `${Math.round(v / 100) / 10}k` : `${Math.round(v)}`);

export function analyzeMarkdown(report: AnalyzeReport): string {
  const lines = [
    `4 KiB random reads of a ${report.fileMiB} MiB file, ${report.rounds} round(s) of ${report.seconds} s per participant after a warm-up, medians.`,
    '',
    '| case | QD | participant | ops/s | completions per wake-up | ctx.stats device / wakeups | wake → first io_submit µs (p50 / p90) | wake → last io_submit µs | last io_submit → next wake µs | wake-ups | io_submits |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rows) {
    const first = r.wakeToFirstUs ? `${n1(r.wakeToFirstUs.p50)} / ${n1(r.wakeToFirstUs.p90)}` : '';
    const stats =
      r.participant === 'core'
        ? r.perWakeStats === null
          ? 'no ctx.stats'
          : n1(r.perWakeStats)
        : '';
    lines.push(
      `| ${r.mode} | ${r.qd} | ${ANALYZE_LABELS[r.participant]} | ${k(r.ops)} | ${n1(r.perWake)} | ${stats} | ${first} | ${n1(r.wakeToLastUs)} | ${n1(r.lastToWakeUs)} | ${r.participant === 'cReference' ? '' : n0(r.wakes)} | ${r.participant === 'cReference' ? '' : n0(r.submits)} |`,
    );
  }
  const withStats = report.rows.filter((r) => r.stats);
  if (withStats.length > 0) {
    const keys = [...new Set(withStats.flatMap((r) => Object.keys(r.stats!)))];
    lines.push(
      '',
      'ctx.stats over a run (medians of the deltas):',
      '',
      `| case | QD | ${keys.join(' | ')} |`,
      `|---|---|${keys.map(() => '---').join('|')}|`,
    );
    for (const r of withStats)
      lines.push(`| ${r.mode} | ${r.qd} | ${keys.map((key) => n0(r.stats![key])).join(' | ')} |`);
  }
  lines.push(
    '',
    'Method: in a fresh process, the koffi functions @aio/bind declares are wrapped before its ' +
      'first syscall, so every io_submit and every eventfd wake-up (uv_poll callback) is ' +
      'timestamped (one performance.now() each). "Completions per wake-up" counts the reads ' +
      'finished between two wake-ups (including any reaped right after an io_submit); the C ' +
      "reference's figure is completions per ring reap or io_getevents call. " +
      'Where the engine exposes ctx.stats, device / wakeups is given beside it. "wake → first ' +
      'io_submit" is the time @aio/core (or the raw loop) takes from the wake-up to resubmitting; ' +
      '"last io_submit → next wake" is the device\'s share of a batch. Buffered reads signal no ' +
      'eventfd, so the cold buffered case shows only what ctx.stats reports.',
  );
  if (!report.hooked.submit || !report.hooked.poll)
    lines.push(
      '',
      `Hooks in place: io_submit ${report.hooked.submit}, uv_poll ${report.hooked.poll}.`,
    );
  for (const note of report.notes) lines.push('', `Note: ${note}.`);
  return lines.join('\n');
}
