// pnpm bench [core] [--quick]
// Progress goes to stderr; the markdown table to stdout and bench/results/<name>.md, the raw
// numbers to bench/results/<name>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreMarkdown, runCore } from './core.js';
import { benchDir } from './files.js';
import { describeMachine, machineMarkdown } from './machine.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'results');

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(argv: string[]): Promise<void> {
  const quick = argv.includes('--quick');
  const names = argv.filter((a) => !a.startsWith('--'));
  const which = names.length === 0 ? ['core'] : names;
  const machine = describeMachine(benchDir());
  for (const name of which) {
    if (name !== 'core') throw new Error(`unknown benchmark ${name}: try core`);
    const rows = await runCore({ quick, log });
    const table = coreMarkdown(rows);
    const doc = [
      `# @aio/core floors: 4 KiB random reads${quick ? ' (quick run)' : ''}`,
      '',
      machineMarkdown(machine),
      '',
      'Medians of interleaved rounds in one process, after a warm-up of each participant; ops/s. ' +
        'The ceiling is the same loop on @aio/bind without the event loop (submit, then wait in io_getevents). ' +
        '@aio/core and fs.promises read through a FileHandle.' +
        (quick ? ' A quick run is a smoke test (3 short rounds): do not judge its numbers.' : ''),
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
