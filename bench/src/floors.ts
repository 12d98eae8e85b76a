// The floors @aio/core is held to, as PASS / FAIL rows computed from the medians of one run.
// Every benchmark lists its own; `floors.md` collects them from the saved results.
import type { LoopStat } from './loop.js';

/** Longest gap between ticks of a 1 ms timer that a run through @aio/core may show. */
export const MAX_GAP_MS = 20;
/** Timer ticks, as % of an idle loop's, that a run through @aio/core must keep. */
export const MIN_TICKS_PCT = 80;

export interface Floor {
  what: string;
  measured: string;
  floor: string;
  /** null: not measured (a participant could not run). */
  pass: boolean | null;
}

/** a / b >= min. */
export function ratioFloor(
  what: string,
  a: number | undefined,
  b: number | undefined,
  min: number,
): Floor {
  const value = a !== undefined && b !== undefined && b > 0 ? a / b : null;
  return {
    what,
    measured: value === null ? 'not measured' : `${value.toFixed(2)}x`,
    floor: `>= ${min}x`,
    pass: value === null ? null : value >= min,
  };
}

/** Longest gap <= MAX_GAP_MS and ticks >= MIN_TICKS_PCT of idle. */
export function loopFloor(what: string, stat: LoopStat | null | undefined): Floor {
  const floor = `gap <= ${MAX_GAP_MS} ms, ticks >= ${MIN_TICKS_PCT}% of idle`;
  if (!stat) return { what, measured: 'not measured', floor, pass: null };
  return {
    what,
    measured: `gap ${stat.maxGapMs.toFixed(1)} ms, ticks ${Math.round(stat.ticksPct)}%`,
    floor,
    pass: stat.maxGapMs <= MAX_GAP_MS && stat.ticksPct >= MIN_TICKS_PCT,
  };
}

/** A plain comparison already decided by the caller (seed's runtime, CPU, threads, RSS). */
export function checkFloor(what: string, measured: string, floor: string, pass: boolean): Floor {
  return { what, measured, floor, pass };
}

const verdict = (pass: boolean | null) =>
  pass === null ? 'not measured' : pass ? 'PASS' : '**FAIL**';

export function floorsMarkdown(floors: readonly Floor[]): string {
  const passed = floors.filter((f) => f.pass === true).length;
  const failed = floors.filter((f) => f.pass === false).length;
  const lines = [
    `Floors: ${passed} PASS, ${failed} FAIL${floors.length - passed - failed > 0 ? `, ${floors.length - passed - failed} not measured` : ''}.`,
    '',
    '| floor | measured | required | result |',
    '|---|---|---|---|',
  ];
  for (const f of floors)
    lines.push(`| ${f.what} | ${f.measured} | ${f.floor} | ${verdict(f.pass)} |`);
  return lines.join('\n');
}
