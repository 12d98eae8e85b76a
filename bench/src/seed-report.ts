// The table and floors of `pnpm bench seed` (also for results saved before the loop and cold
// columns existed).
import { residencyCell } from './cache.js';
import { checkFloor, type Floor, loopFloor } from './floors.js';
import { LOOP_LEGEND, loopCell } from './loop.js';
import type { SeedReport } from './seed.js';

const fmt = (n: number, digits = 0) => n.toFixed(digits);
const setOf = (r: { n: number; cold?: boolean }) => `${r.n}${r.cold ? ', cold' : ''}`;

export function seedFloors(report: SeedReport): Floor[] {
  const at = (id: string) => report.rows.find((r) => r.n === 24 && !r.cold && r.participant === id);
  const core = at('aio-core');
  const sync = at('read-sync');
  const fsp = at('fs-promises');
  const floors: Floor[] = [];
  if (core && sync && fsp) {
    const pct = fmt((core.wallSeconds / sync.wallSeconds - 1) * 100, 1);
    floors.push(
      checkFloor(
        '24 files: runtime within 10% of fs.readSync',
        `${fmt(core.wallSeconds, 2)} s vs ${fmt(sync.wallSeconds, 2)} s (${pct}%)`,
        '<= +10%',
        core.wallSeconds <= sync.wallSeconds * 1.1,
      ),
      checkFloor(
        '24 files: CPU below fs.promises',
        `${fmt(core.cpuPercent, 1)}% vs ${fmt(fsp.cpuPercent, 1)}%`,
        '< fs.promises',
        core.cpuPercent < fsp.cpuPercent,
      ),
      checkFloor(
        '24 files: no threads beyond a bare node process',
        `${core.threadsPeak} vs ${report.baselineThreads}`,
        `<= ${report.baselineThreads}`,
        core.threadsPeak <= report.baselineThreads,
      ),
      checkFloor(
        '24 files: peak RSS within 10 MB of fs.readSync',
        `${fmt(core.rssPeakMB, 1)} MB vs ${fmt(sync.rssPeakMB, 1)} MB`,
        '<= +10 MB',
        core.rssPeakMB <= sync.rssPeakMB + 10,
      ),
    );
  }
  for (const r of report.rows.filter((x) => x.participant === 'aio-core'))
    floors.push(loopFloor(`loop, N=${setOf(r)}, @aio/core`, r.loop));
  return floors;
}

export function seedMarkdown(report: SeedReport): string {
  const lines = [
    `Bare \`node -e\` process: ${report.baselineThreads} threads. ${report.rounds} rounds${report.coldRounds ? ` (cold: ${report.coldRounds})` : ''}, median of ${report.repeats} fresh processes per cell.`,
    '',
    '| N files | participant | runtime s | threads (peak) | peak RSS MB | peak virtual MB | CPU % | read p50 µs | read p99 µs | loop | page cache before / after |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of report.rows) {
    lines.push(
      `| ${setOf(r)} | ${r.label} | ${fmt(r.wallSeconds, 2)} | ${r.threadsPeak} | ${fmt(r.rssPeakMB, 1)} | ${fmt(r.vmPeakMB)} | ${fmt(r.cpuPercent, 1)} | ${fmt(r.p50us)} | ${fmt(r.p99us)} | ${loopCell(r.loop)} | ${residencyCell(r.residency)} |`,
    );
  }
  if (report.idleMs !== undefined) {
    lines.push(
      '',
      `${LOOP_LEGEND} Each process measures its idle loop for ${report.idleMs / 1000} s before its rounds.`,
      '',
      'Cold: the N files are evicted (posix_fadvise DONTNEED) before every round. Page cache: ' +
        'residency (mincore, in the measuring process) before and after every 50th round, ' +
        'min-max over the rounds and processes. Eviction and sampling are left out of runtime, CPU and loop.',
    );
  }
  const uring = report.rows.filter((r) => r.participant === 'fs-promises-uring');
  if (uring.some((r) => r.uringRings === 0))
    lines.push('', `Note: libuv set up **no** io_uring in some ${uring[0]!.label} processes.`);
  for (const note of report.notes ?? []) lines.push('', `Note: ${note}.`);
  return lines.join('\n');
}
