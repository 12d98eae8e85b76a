// pnpm bench [seed] [iops] [files] [http] [workers] [soak] [--quick] [--render]
// Without a name: all but soak (soak only when named). Progress goes to stderr; each
// benchmark's markdown table to stdout and bench/results/<name>.md, its raw numbers to
// <name>.json and its chart to <name>.svg. --quick (a CI smoke run, under a minute) writes
// <name>-quick.* instead, which are not committed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { filesChart, iopsChart, renderSvg, seedChart, soakChart } from './chart.js';
import { benchDir } from './files.js';
import { httpBench } from './http.js';
import { type IopsReport, iopsMarkdown, runIops } from './iops.js';
import { describeMachine, type Machine, machineMarkdown } from './machine.js';
import { runSeed, type SeedReport, seedMarkdown } from './seed.js';
import { runSoak, type SoakResult, soakMarkdown } from './soak.js';
import { runTransfer, type TransferRow, transferMarkdown } from './transfer.js';
import { workersBench } from './workers.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'results');

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface Presentation {
  title: string;
  note: string;
  table: string;
  chart: TopLevelSpec;
}

/** A benchmark: how to run it, and how to present its raw results (also saved ones). */
interface Bench {
  run(quick: boolean): Promise<unknown>;
  present(raw: never): Presentation;
}

const DEFAULT: Record<string, Bench> = {
  seed: {
    run: async (quick) => runSeed({ quick, log }),
    present: (report: SeedReport) => ({
      title: 'Small files, the linux_aio comparison in Node',
      note:
        'Each participant reads N files of 1-100 KB (24 generated with a fixed seed; the first N) per ' +
        'round, then pauses 1 ms, in its own fresh process. Files are opened once, before the first ' +
        'round, by every participant. Runtime includes the 1 ms pauses. Threads: peak of /proc/self/status ' +
        'Threads; RSS and virtual size: VmHWM and VmPeak; CPU: user + system time over runtime; read ' +
        'latency: from the start of a round to the completion of each read. @aio/core reads through ' +
        '{ fd } objects, whose file type it checks once (a raw fd number is checked on every flush).',
      table: seedMarkdown(report),
      chart: seedChart(report),
    }),
  },
  iops: {
    run: (quick) => runIops({ quick, log }),
    present: (report: IopsReport) => ({
      title: 'Throughput against the limit: 4 KiB random reads',
      note:
        'Participants run in one process, interleaved, after a warm-up; the C reference and fio are ' +
        'separate processes. @aio/core and fs.promises read through a FileHandle. fs.readSync is one ' +
        'request at a time, so only at QD1.',
      table: iopsMarkdown(report),
      chart: iopsChart(report),
    }),
  },
  files: {
    run: (quick) => runTransfer({ quick, log }),
    present: (rows: TransferRow[]) => ({
      title: 'Whole files: readFile, writeFile, streams',
      note:
        'Medians of interleaved rounds in one process after a warm-up; MB/s (10^6 bytes/s). ' +
        '@aio/core with its defaults (1 MiB chunks, 4 in flight; streams: 64 KiB, 4 ahead) unless ' +
        'the case says otherwise.',
      table: transferMarkdown(rows),
      chart: filesChart(rows),
    }),
  },
  http: httpBench,
  workers: workersBench,
};

const ON_DEMAND: Record<string, Bench> = {
  soak: {
    run: (quick) => runSoak({ quick, log }),
    present: (result: SoakResult) => ({
      title: 'Soak: a million mixed operations',
      note:
        'Reads, writes, readv, writev (half on O_DIRECT files, aligned and not), syncs, readFile and ' +
        'writeFile through one AioContext with 32 requests at a time; samples taken after a forced GC.',
      table: soakMarkdown(result),
      chart: soakChart(result),
    }),
  },
};

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  // --render: rebuild the .md and .svg from the saved .json (after a change to a table or
  // chart), without running anything.
  const render = argv.includes('--render');
  const names = argv.filter((a) => !a.startsWith('--'));
  const which = names.length === 0 ? Object.keys(DEFAULT) : names;
  for (const name of which) {
    const bench = DEFAULT[name] ?? ON_DEMAND[name];
    if (bench === undefined) {
      const known = [...Object.keys(DEFAULT), ...Object.keys(ON_DEMAND)].join(', ');
      throw new Error(`unknown benchmark ${name}: try ${known}`);
    }
    const base = join(resultsDir, `${name}${quick ? '-quick' : ''}`);
    const started = performance.now();
    let machine: Machine;
    let raw: unknown;
    if (render) {
      ({ machine, results: raw } = JSON.parse(readFileSync(`${base}.json`, 'utf8')));
    } else {
      machine = describeMachine(benchDir());
      raw = await bench.run(quick);
    }
    const { title, note, table, chart } = bench.present(raw as never);
    const smoke = quick
      ? ' A quick run is a smoke test (few, short rounds): do not judge its numbers.'
      : '';
    const svg = `${name}${quick ? '-quick' : ''}.svg`;
    const doc = [
      `# ${title}${quick ? ' (quick run)' : ''}`,
      '',
      machineMarkdown(machine),
      '',
      note + smoke,
      '',
      table,
      '',
      `![${title}](${svg})`,
      '',
    ].join('\n');
    process.stdout.write(`${doc}\n`);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(`${base}.md`, doc);
    if (!render) {
      writeFileSync(`${base}.json`, `${JSON.stringify({ machine, results: raw }, null, 2)}\n`);
    }
    writeFileSync(`${base}.svg`, await renderSvg(chart));
    log(
      `[${name}] done in ${((performance.now() - started) / 1000).toFixed(0)} s: bench/results/${name}${quick ? '-quick' : ''}.md`,
    );
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
