// SVG charts of the results, rendered by Vega-Lite (headless: no browser, no canvas).
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';
import { IOPS_LABELS, type IopsParticipant, type IopsReport } from './iops.js';
import type { SeedReport } from './seed.js';
import type { SoakResult } from './soak.js';
import type { TransferRow } from './transfer.js';

const FONT = { font: 'Helvetica, Arial, sans-serif' };

/** Renders a Vega-Lite spec to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile({ ...spec, config: { ...FONT, ...spec.config } }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Seed comparison: grouped bars per N (runtime, CPU, peak RSS), one colour per participant. */
export function seedChart(report: SeedReport): TopLevelSpec {
  const values = report.rows.map((r) => ({
    n: r.n,
    who: r.label,
    runtime: r.wallSeconds,
    cpu: r.cpuPercent,
    rss: r.rssPeakMB,
    threads: r.threadsPeak,
  }));
  const panel = (field: string, title: string) => ({
    width: 520,
    height: 160,
    mark: 'bar' as const,
    encoding: {
      x: { field: 'n', type: 'ordinal' as const, title: 'files read per round (N)' },
      xOffset: { field: 'who' },
      y: { field, type: 'quantitative' as const, title },
      color: {
        field: 'who',
        type: 'nominal' as const,
        title: null,
        legend: { orient: 'bottom' as const, columns: 2, labelLimit: 0 },
      },
      tooltip: [{ field: 'who' }, { field, type: 'quantitative' as const, format: '.2f' }],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Small files (1-100 KB), ${report.rounds} rounds at 1 ms intervals`,
    data: { values },
    vconcat: [
      panel('runtime', 'runtime (s)'),
      panel('cpu', 'CPU (%)'),
      panel('rss', 'peak RSS (MB)'),
      panel('threads', 'threads (peak)'),
    ],
  };
}

/** IOPS: ops/s against queue depth, one line per participant, buffered and O_DIRECT side by side. */
export function iopsChart(report: IopsReport): TopLevelSpec {
  const values = report.rows.flatMap((r) =>
    Object.entries(r.ops).map(([who, ops]) => ({
      mode: r.mode,
      qd: r.qd,
      who: IOPS_LABELS[who as IopsParticipant],
      ops,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `4 KiB random reads of a ${report.fileMiB} MiB file`,
    data: { values },
    facet: { column: { field: 'mode', type: 'nominal', title: null } },
    spec: {
      width: 300,
      height: 260,
      mark: { type: 'line', point: true },
      encoding: {
        x: {
          field: 'qd',
          type: 'quantitative',
          scale: { type: 'log', base: 2 },
          title: 'requests in flight (QD)',
          axis: { values: [1, 8, 32, 128] },
        },
        y: { field: 'ops', type: 'quantitative', scale: { type: 'log' }, title: 'ops/s' },
        color: {
          field: 'who',
          type: 'nominal',
          title: null,
          legend: { orient: 'bottom', columns: 3, labelLimit: 0 },
        },
        tooltip: [{ field: 'who' }, { field: 'qd' }, { field: 'ops', format: ',.0f' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Whole files: MB/s of @aio/core and node:fs per case. */
export function filesChart(rows: TransferRow[]): TopLevelSpec {
  const values = rows.flatMap((r) => [
    { case: r.case, who: '@aio/core', mbps: r.aio },
    { case: r.case, who: 'node:fs', mbps: r.fs },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Whole files: MB/s',
    data: { values },
    width: 420,
    height: { step: 14 },
    mark: 'bar',
    encoding: {
      y: { field: 'case', type: 'nominal', title: null, sort: null },
      yOffset: { field: 'who' },
      x: { field: 'mbps', type: 'quantitative', title: 'MB/s' },
      color: {
        field: 'who',
        type: 'nominal',
        title: null,
        legend: { orient: 'bottom', labelLimit: 0 },
      },
    },
  };
}

/** Soak: RSS and heap over operations. */
export function soakChart(result: SoakResult): TopLevelSpec {
  const values = result.samples.flatMap((s) => [
    { ops: s.ops, what: 'RSS', mb: s.rssMB },
    { ops: s.ops, what: 'V8 heap', mb: s.heapMB },
    { ops: s.ops, what: 'ArrayBuffers', mb: s.buffersMB },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Soak: ${result.total.toLocaleString('en')} mixed operations`,
    data: { values },
    width: 520,
    height: 240,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'ops', type: 'quantitative', title: 'operations' },
      y: { field: 'mb', type: 'quantitative', title: 'MB' },
      color: {
        field: 'what',
        type: 'nominal',
        title: null,
        legend: { orient: 'bottom', labelLimit: 0 },
      },
    },
  };
}
