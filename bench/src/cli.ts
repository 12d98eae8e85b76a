// pnpm bench [seed] [iops] [files] [soak] [--quick]
// Without a name: seed, iops and files (soak only when named). Progress goes to stderr; each
// benchmark's markdown table to stdout and bench/results/<name>.md, its raw numbers to
// <name>.json and its chart to <name>.svg. --quick (a CI smoke run, under a minute) writes
// <name>-quick.* instead, which are not committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { filesChart, iopsChart, renderSvg, seedChart, soakChart } from './chart.js';
import { benchDir } from './files.js';
import { iopsMarkdown, runIops } from './iops.js';
import { describeMachine, machineMarkdown } from './machine.js';
import { runSeed, seedMarkdown } from './seed.js';
import { runSoak, soakMarkdown } from './soak.js';
import { runTransfer, transferMarkdown } from './transfer.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'results');

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface Outcome {
  title: string;
  note: string;
  raw: unknown;
  table: string;
  chart: TopLevelSpec;
}

type Bench = (quick: boolean) => Promise<Outcome>;

const DEFAULT: Record<string, Bench> = {
  seed: async (quick) => {
    const report = runSeed({ quick, log });
    return {
      title: 'Small files, the linux_aio comparison in Node',
      note:
        'Each participant reads N files of 1-100 KB (24 generated with a fixed seed; the first N) per ' +
        'round, then pauses 1 ms, in its own fresh process. Files are opened once, before the first ' +
        'round, by every participant. Runtime includes the 1 ms pauses. Threads: peak of /proc/self/status ' +
        'Threads; RSS and virtual size: VmHWM and VmPeak; CPU: user + system time over runtime; read ' +
        'latency: from the start of a round to the completion of each read. @aio/core reads through ' +
        '{ fd } objects, whose file type it checks once (a raw fd number is checked on every flush).',
      raw: report,
      table: seedMarkdown(report),
      chart: seedChart(report),
    };
  },
  iops: async (quick) => {
    const report = await runIops({ quick, log });
    return {
      title: 'Throughput against the limit: 4 KiB random reads',
      note:
        'Participants run in one process, interleaved, after a warm-up; the C reference and fio are ' +
        'separate processes. @aio/core and fs.promises read through a FileHandle. fs.readSync is one ' +
        'request at a time, so only at QD1.',
      raw: report,
      table: iopsMarkdown(report),
      chart: iopsChart(report),
    };
  },
  files: async (quick) => {
    const rows = await runTransfer({ quick, log });
    return {
      title: 'Whole files: readFile, writeFile, streams',
      note:
        'Medians of interleaved rounds in one process after a warm-up; MB/s (10^6 bytes/s). ' +
        '@aio/core with its defaults (1 MiB chunks, 4 in flight; streams: 64 KiB, 4 ahead) unless ' +
        'the case says otherwise.',
      raw: rows,
      table: transferMarkdown(rows),
      chart: filesChart(rows),
    };
  },
};

const ON_DEMAND: Record<string, Bench> = {
  soak: async (quick) => {
    const result = await runSoak({ quick, log });
    return {
      title: 'Soak: a million mixed operations',
      note:
        'Reads, writes, readv, writev (half on O_DIRECT files, aligned and not), syncs, readFile and ' +
        'writeFile through one AioContext with 32 requests at a time; samples taken after a forced GC.',
      raw: result,
      table: soakMarkdown(result),
      chart: soakChart(result),
    };
  },
};

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const which = names.length === 0 ? Object.keys(DEFAULT) : names;
  const machine = describeMachine(benchDir());
  for (const name of which) {
    const bench = DEFAULT[name] ?? ON_DEMAND[name];
    if (bench === undefined) {
      const known = [...Object.keys(DEFAULT), ...Object.keys(ON_DEMAND)].join(', ');
      throw new Error(`unknown benchmark ${name}: try ${known}`);
    }
    const started = performance.now();
    const { title, note, raw, table, chart } = await bench(quick);
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
    const base = join(resultsDir, `${name}${quick ? '-quick' : ''}`);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(`${base}.md`, doc);
    writeFileSync(`${base}.json`, `${JSON.stringify({ machine, results: raw }, null, 2)}\n`);
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
