// The results of `pnpm bench http`: their shape, a markdown table and a Vega-Lite chart.
import type { TopLevelSpec } from 'vega-lite';
import type { LoadResult } from './http-load.js';
import type { LoopStats } from './http-loop.js';
import type { ServerConfig } from './http-routes.js';

export type HttpParticipant = 'fs' | 'aio' | 'uring';
export type HttpCase = 'range4k' | 'range64k' | 'small' | 'index8';
export type Cache = 'warm' | 'cold';

export const HTTP_PARTICIPANTS: Record<
  HttpParticipant,
  { label: string; io: ServerConfig['io']; env: Record<string, string> }
> = {
  fs: { label: 'node:fs', io: 'fs', env: { UV_USE_IO_URING: '0' } },
  aio: { label: '@aio/core', io: 'aio', env: { UV_USE_IO_URING: '0' } },
  uring: { label: 'node:fs + io_uring', io: 'fs', env: { UV_USE_IO_URING: '1' } },
};

export const HTTP_CASES: Record<HttpCase, string> = {
  range4k: 'random 4 KiB range',
  range64k: 'random 64 KiB range',
  small: 'whole small file (readFile)',
  index8: '8 dependent 4 KiB reads',
};

export interface HttpCell extends LoadResult {
  case: HttpCase;
  cache: Cache;
  connections: number;
  participant: HttpParticipant;
  /** The server's event loop over the run. */
  loop: LoopStats;
  /** Handler exceptions (answered 500). */
  handlerFailures: number;
  /** Fraction of the case's files in the page cache before and after the run (null: no fincore). */
  residentBefore: number | null;
  residentAfter: number | null;
}

export interface HttpReport {
  /** CPU cores of the machine, shared by autocannon and the server. */
  cores: number;
  bigFileMiB: number;
  smallFiles: { count: number; mb: number };
  seconds: number;
  connections: number[];
  cells: HttpCell[];
  notes: string[];
}

const ORDER: HttpParticipant[] = ['fs', 'aio', 'uring'];
const pct = (f: number | null) => (f === null ? '?' : `${(f * 100).toFixed(f < 0.1 ? 1 : 0)}%`);
const ms = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

function rows(report: HttpReport): Array<{ key: string; cells: HttpCell[] }> {
  const groups = new Map<string, HttpCell[]>();
  for (const c of report.cells) {
    const key = `${c.case}|${c.cache}|${c.connections}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  return [...groups].map(([key, cells]) => ({ key, cells }));
}

function summaryTable(report: HttpReport, who: HttpParticipant[]): string[] {
  const others = who.filter((p) => p !== 'fs');
  const lines = [
    `| case | cache | connections | ${who.map((p) => `${HTTP_PARTICIPANTS[p].label} req/s (p50 / p99 ms)`).join(' | ')} | ${others.map((p) => `${HTTP_PARTICIPANTS[p].label} / node:fs`).join(' | ')} |`,
    `|---|---|---|${who.map(() => '---|').join('')}${others.map(() => '---|').join('')}`,
  ];
  for (const { cells } of rows(report)) {
    const at = (p: HttpParticipant) => cells.find((c) => c.participant === p);
    const first = cells[0]!;
    const fs = at('fs');
    const value = (c?: HttpCell) =>
      c ? `${Math.round(c.requestsPerSecond)} (${ms(c.p50Ms)} / ${ms(c.p99Ms)})` : '';
    const ratio = (c?: HttpCell) =>
      c && fs && fs.requestsPerSecond > 0
        ? `${(c.requestsPerSecond / fs.requestsPerSecond).toFixed(2)}x`
        : '';
    lines.push(
      `| ${HTTP_CASES[first.case]} | ${first.cache} | ${first.connections} | ${who.map((p) => value(at(p))).join(' | ')} | ${others.map((p) => ratio(at(p))).join(' | ')} |`,
    );
  }
  return lines;
}

function serverTable(report: HttpReport): string[] {
  const lines = [
    '| case | cache | conn | participant | req/s | errors / timeouts / non-2xx | server CPU % | threads (peak) | loop longest gap ms | loop p99 lag ms | cached before / after |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of report.cells) {
    lines.push(
      `| ${HTTP_CASES[c.case]} | ${c.cache} | ${c.connections} | ${HTTP_PARTICIPANTS[c.participant].label} | ${Math.round(c.requestsPerSecond)} | ${c.errors} / ${c.timeouts} / ${c.non2xx} | ${c.cpuPercent.toFixed(0)} | ${c.threadsPeak} | ${ms(c.loop.maxGapMs)} | ${ms(c.loop.p99LagMs)} | ${pct(c.residentBefore)} / ${pct(c.residentAfter)} |`,
    );
  }
  return lines;
}

export function httpMarkdown(report: HttpReport): string {
  const who = ORDER.filter((p) => report.cells.some((c) => c.participant === p));
  const lines = [
    `A ${report.bigFileMiB} MiB text file and ${report.smallFiles.count} small ones of 1-100 KB ` +
      `(${report.smallFiles.mb.toFixed(0)} MB); one run of ${report.seconds} s per cell (cold: ` +
      'or until every range or file was asked for once, if sooner); requests/s of 2xx answers, ' +
      'latency in ms.',
    '',
    ...summaryTable(report, who),
    '',
    'The servers over the same runs:',
    '',
    ...serverTable(report),
  ];
  const failures = report.cells.reduce((n, c) => n + c.handlerFailures, 0);
  if (failures > 0) lines.push('', `**${failures} handler failures** (answered 500; see stderr).`);
  for (const note of report.notes) lines.push('', `Note: ${note}.`);
  return lines.join('\n');
}

/** requests/s per connection count, one bar per participant, a panel per case and cache. */
export function httpChart(report: HttpReport): TopLevelSpec {
  const values = report.cells.map((c) => ({
    case: HTTP_CASES[c.case],
    cache: c.cache,
    connections: c.connections,
    who: HTTP_PARTICIPANTS[c.participant].label,
    rps: Math.round(c.requestsPerSecond),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'node:http under autocannon: requests/s',
    data: { values },
    facet: {
      row: { field: 'case', type: 'nominal', title: null, sort: Object.values(HTTP_CASES) },
      column: { field: 'cache', type: 'nominal', title: null, sort: ['warm', 'cold'] },
    },
    spec: {
      width: 240,
      height: 140,
      mark: 'bar',
      encoding: {
        x: { field: 'connections', type: 'ordinal', title: 'connections' },
        xOffset: { field: 'who', sort: ORDER.map((p) => HTTP_PARTICIPANTS[p].label) },
        y: { field: 'rps', type: 'quantitative', title: 'requests/s' },
        color: {
          field: 'who',
          type: 'nominal',
          title: null,
          sort: ORDER.map((p) => HTTP_PARTICIPANTS[p].label),
          legend: { orient: 'bottom', labelLimit: 0 },
        },
        tooltip: [{ field: 'who' }, { field: 'connections' }, { field: 'rps', format: ',' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export function httpPresentation(report: HttpReport) {
  return {
    title: 'A real client: a node:http server under autocannon',
    note:
      'Each participant is a node:http server in its own process on 127.0.0.1; autocannon 8 runs in ' +
      `the bench process, so client and server share the same ${report.cores} cores: requests/s are ` +
      'a whole-machine figure, not a server ceiling. node:fs reads with fs.promises (FileHandle.read ' +
      'on one FileHandle, readFile per small file) on the libuv threadpool; @aio/core with ' +
      'AioContext.read on the same kind of FileHandle and its readFile; node:fs + io_uring is the ' +
      'node:fs server with UV_USE_IO_URING=1 (libuv then reads through io_uring with SQPOLL; the ' +
      "kernel threads of its rings count in the server's CPU and threads). Cold: the files are " +
      'evicted (posix_fadvise DONTNEED) before the run and requests walk a permutation, so no ' +
      'range or file is asked for twice before all were; warm: read into the page cache first. Server CPU: utime + stime from ' +
      '/proc/<pid>/stat over the run, in % of one core; threads: peak of /proc/<pid>/status; loop: ' +
      'the longest gap between ticks of a 1 ms interval and the p99 of monitorEventLoopDelay, inside ' +
      'the server. Each participant is checked byte for byte against the file before it is ' +
      'measured. The files hold random printable text: autocannon decodes every body as UTF-8, ' +
      'which for random bytes cost the client more than the server spent serving them.',
    table: httpMarkdown(report),
    chart: httpChart(report),
  };
}
