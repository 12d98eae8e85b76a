// pnpm bench [core] [files] [soak] [--quick]
// Progress goes to stderr; the markdown table to stdout and bench/results/<name>.md, the raw
// numbers to bench/results/<name>.json. Without a name, every benchmark but soak runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreMarkdown, runCore } from './core.js';
import { benchDir } from './files.js';
import { describeMachine, machineMarkdown } from './machine.js';
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
  rows: unknown;
  table: string;
}

const BENCHMARKS: Record<string, (quick: boolean) => Promise<Outcome>> = {
  core: async (quick) => {
    const rows = await runCore({ quick, log });
    return {
      title: '@aio/core floors: 4 KiB random reads',
      note:
        'Medians of interleaved rounds in one process, after a warm-up of each participant; ops/s. ' +
        'The ceiling is the same loop on @aio/bind without the event loop (submit, then wait in ' +
        'io_getevents). @aio/core and fs.promises read through a FileHandle.',
      rows,
      table: coreMarkdown(rows),
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
      rows,
      table: transferMarkdown(rows),
    };
  },
};

/** Run only when named: `pnpm bench soak`. */
const ON_DEMAND: Record<string, (quick: boolean) => Promise<Outcome>> = {
  soak: async (quick) => {
    const result = await runSoak({ quick, log });
    return {
      title: 'Soak: a million mixed operations',
      note:
        'Reads, writes, readv, writev (half on O_DIRECT files, aligned and not), syncs, readFile and ' +
        'writeFile through one AioContext with 32 requests at a time; samples taken after a forced GC.',
      rows: result,
      table: soakMarkdown(result),
    };
  },
};

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const which = names.length === 0 ? Object.keys(BENCHMARKS) : names;
  const machine = describeMachine(benchDir());
  for (const name of which) {
    const bench = BENCHMARKS[name] ?? ON_DEMAND[name];
    if (bench === undefined) {
      throw new Error(`unknown benchmark ${name}: try ${Object.keys(BENCHMARKS).join(', ')}`);
    }
    const { title, note, rows, table } = await bench(quick);
    const smoke = quick
      ? ' A quick run is a smoke test (few, short rounds): do not judge its numbers.'
      : '';
    const doc = [
      `# ${title}${quick ? ' (quick run)' : ''}`,
      '',
      machineMarkdown(machine),
      '',
      note + smoke,
      '',
      table,
      '',
    ].join('\n');
    process.stdout.write(`${doc}\n`);
    const suffix = quick ? '-quick' : '';
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, `${name}${suffix}.md`), doc);
    writeFileSync(
      join(resultsDir, `${name}${suffix}.json`),
      `${JSON.stringify({ machine, rows }, null, 2)}\n`,
    );
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
