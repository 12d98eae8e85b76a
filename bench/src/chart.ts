// SVG charts of the results, rendered by Vega-Lite (headless: no browser, no canvas).
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';
import { ANALYZE_LABELS, type AnalyzeReport } from './analyze.js';
import type { IopsReport } from './iops.js';
import { IOPS_LABELS, type IopsParticipant } from './iops-cases.js';
import { caseOf } from './iops-report.js';
import type { SeedReport } from './seed.js';
import type { SoakResult } from './soak.js';
import type { TransferReport, TransferRow } from './transfer.js';
import { asTransferReport } from './transfer-report.js';
import { URING_LABEL } from './uring.js';

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
    n: `${r.n}${r.cold ? ' cold' : ''}`,
    who: r.label,
    runtime: r.wallSeconds,
    cpu: r.cpuPercent,
    rss: r.rssPeakMB,
    threads: r.threadsPeak,
    gap: r.loop?.maxGapMs,
  }));
  const panel = (field: string, title: string) => ({
    width: 520,
    height: 160,
    mark: 'bar' as const,
    encoding: {
      x: {
        field: 'n',
        type: 'ordinal' as const,
        title: 'files read per round (N)',
        sort: null,
        axis: { labelAngle: 0 },
      },
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
    title: `Small files (1-100 KB), ${report.rounds} rounds at 1 ms intervals${report.coldRounds ? ` (cold: ${report.coldRounds}, evicted before each)` : ''}`,
    data: { values },
    vconcat: [
      panel('runtime', 'runtime (s)'),
      panel('cpu', 'CPU (%)'),
      panel('rss', 'peak RSS (MB)'),
      panel('threads', 'threads (peak)'),
      panel('gap', 'longest event-loop gap (ms)'),
    ],
  };
}

/**
 * IOPS: ops/s against queue depth, one line per participant, one column per case (cached,
 * cold, O_DIRECT); below, the longest event-loop gap of the participants that have a loop.
 */
export function iopsChart(report: IopsReport): TopLevelSpec {
  const values = report.rows
    .filter((r) => r.offsets !== 'repeated')
    .flatMap((r) =>
      Object.entries(r.ops).map(([who, ops]) => ({
        mode: caseOf(r).label,
        qd: r.qd,
        who: IOPS_LABELS[who as IopsParticipant],
        ops,
        gap: r.loop?.[who as IopsParticipant]?.maxGapMs,
      })),
    );
  const axis = {
    field: 'qd',
    type: 'quantitative' as const,
    scale: { type: 'log' as const, base: 2 },
    title: 'requests in flight (QD)',
    axis: { values: [1, 8, 32, 128] },
  };
  const color = {
    field: 'who',
    type: 'nominal' as const,
    title: null,
    legend: { orient: 'bottom' as const, columns: 3, labelLimit: 0 },
  };
  const row = (field: string, title: string, filter?: string) => ({
    ...(filter ? { transform: [{ filter }] } : {}),
    facet: {
      column: {
        field: 'mode',
        type: 'nominal' as const,
        title: null,
        sort: ['buffered, cached', 'buffered, cold', 'O_DIRECT'],
      },
    },
    spec: {
      width: 220,
      height: 200,
      mark: { type: 'line' as const, point: true },
      encoding: {
        x: axis,
        y: { field, type: 'quantitative' as const, scale: { type: 'log' as const }, title },
        color,
        tooltip: [{ field: 'who' }, { field: 'qd' }, { field, format: ',.2f' }],
      },
    },
    resolve: { scale: { y: 'independent' as const } },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `4 KiB random reads of a ${report.fileMiB} MiB file`,
    data: { values },
    vconcat: [
      row('ops', 'ops/s'),
      row('gap', 'longest event-loop gap (ms)', 'isValid(datum.gap) && datum.gap > 0'),
    ],
  } as TopLevelSpec;
}

/** Whole files: MB/s per case and participant, and beside it the longest event-loop gap. */
export function filesChart(raw: TransferReport | TransferRow[]): TopLevelSpec {
  const { rows } = asTransferReport(raw);
  const who = { aio: '@aio/core', fs: 'node:fs', uring: URING_LABEL } as const;
  const values = rows.flatMap((r) =>
    (['aio', 'fs', 'uring'] as const)
      .filter((p) => (p === 'uring' ? r.uring !== undefined : true))
      .map((p) => ({
        case: r.case,
        who: who[p],
        mbps: p === 'uring' ? r.uring : r[p],
        gap: r.loop?.[p]?.maxGapMs,
      })),
  );
  const panel = (field: string, title: string, log: boolean) => ({
    width: 300,
    height: { step: 12 },
    mark: 'bar' as const,
    ...(field === 'gap' ? { transform: [{ filter: 'isValid(datum.gap) && datum.gap > 0' }] } : {}),
    encoding: {
      y: {
        field: 'case',
        type: 'nominal' as const,
        title: null,
        sort: null,
        axis: field === 'gap' ? null : { labelLimit: 0 },
      },
      yOffset: { field: 'who' },
      x: {
        field,
        type: 'quantitative' as const,
        title,
        // symlog: a log-like axis on which a bar can start at 0
        ...(log
          ? {
              scale: { type: 'symlog' as const },
              axis: { values: [0, 1, 3, 10, 30, 100, 300, 1000] },
            }
          : {}),
      },
      color: {
        field: 'who',
        type: 'nominal' as const,
        title: null,
        legend: { orient: 'bottom' as const, labelLimit: 0 },
      },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Whole files: MB/s, and the longest event-loop gap',
    data: { values },
    hconcat: [panel('mbps', 'MB/s', false), panel('gap', 'longest loop gap (ms)', true)],
  } as TopLevelSpec;
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

/** Analysis: the time from a wake-up to the next io_submit, and completions per wake-up. */
export function analyzeChart(report: AnalyzeReport): TopLevelSpec {
  const values = report.rows.map((r) => ({
    case: `${r.mode} QD${r.qd}`,
    who: ANALYZE_LABELS[r.participant],
    first: r.wakeToFirstUs?.p50,
    perWake: r.perWake,
  }));
  const panel = (field: string, title: string) => ({
    width: 260,
    height: { step: 14 },
    mark: 'bar' as const,
    transform: [{ filter: `isValid(datum.${field})` }],
    encoding: {
      y: { field: 'case', type: 'nominal' as const, title: null },
      yOffset: { field: 'who' },
      x: { field, type: 'quantitative' as const, title },
      color: {
        field: 'who',
        type: 'nominal' as const,
        title: null,
        legend: { orient: 'bottom' as const, labelLimit: 0 },
      },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'O_DIRECT batches: wake-up to io_submit, completions per wake-up',
    data: { values },
    hconcat: [
      panel('first', 'wake-up → first io_submit, µs (p50)'),
      panel('perWake', 'completions per wake-up'),
    ],
  } as TopLevelSpec;
}
