// pnpm bench [all | seed iops files soak analyze ...] [--quick] [--render] [--rounds=N] [--seconds=S]
// Without a name: the default set (seed, iops, files); `all`: every registered benchmark (see
// registry.ts), which regenerates every committed result. Progress goes to stderr; each
// benchmark's markdown to stdout and bench/results/<name>.md, its raw numbers and provenance
// to <name>.json and its chart to <name>.svg; then floors.md collects the floors of every
// saved result. --quick (a CI smoke run) writes <name>-quick.* instead, which are not
// committed. --rounds / --seconds override a benchmark's rounds per case and seconds per run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSvg } from './chart.js';
import { benchDir } from './files.js';
import { floorsMarkdown } from './floors.js';
import { describeMachine, type Machine, machineMarkdown } from './machine.js';
import type { BenchOptions } from './options.js';
import { BENCHES } from './registry.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'results');

const t0 = performance.now();

function log(line: string): void {
  process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s ${line}\n`);
}

function numberFlag(argv: string[], name: string): number | undefined {
  const arg = argv.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return undefined;
  const value = Number(arg.slice(name.length + 3));
  if (!(value > 0)) throw new Error(`--${name} needs a positive number, got ${arg}`);
  return value;
}

function namesOf(argv: string[]): string[] {
  const names = argv.filter((a) => !a.startsWith('--'));
  if (names.includes('all')) return Object.keys(BENCHES);
  if (names.length === 0) return Object.keys(BENCHES).filter((n) => BENCHES[n]!.byDefault);
  for (const name of names) {
    if (!(name in BENCHES))
      throw new Error(`unknown benchmark ${name}: try all, ${Object.keys(BENCHES).join(', ')}`);
  }
  return names;
}

async function runOne(name: string, options: BenchOptions, render: boolean): Promise<void> {
  const bench = BENCHES[name]!;
  const suffix = options.quick ? '-quick' : '';
  const base = join(resultsDir, `${name}${suffix}`);
  const started = performance.now();
  let machine: Machine;
  let raw: unknown;
  if (render) {
    ({ machine, results: raw } = JSON.parse(readFileSync(`${base}.json`, 'utf8')));
  } else {
    machine = describeMachine(benchDir());
    raw = await bench.run(options);
  }
  const { title, note, table, chart, floors } = bench.present(raw as never);
  const smoke = options.quick
    ? ' A quick run is a smoke test (few, short rounds): do not judge its numbers.'
    : '';
  const doc = [
    `# ${title}${options.quick ? ' (quick run)' : ''}`,
    '',
    machineMarkdown(machine),
    '',
    note + smoke,
    '',
    table,
    '',
    ...(floors.length > 0 ? ['## Floors', '', floorsMarkdown(floors), ''] : []),
    `![${title}](${name}${suffix}.svg)`,
    '',
  ].join('\n');
  process.stdout.write(`${doc}\n`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${base}.md`, doc);
  if (!render)
    writeFileSync(`${base}.json`, `${JSON.stringify({ machine, results: raw }, null, 2)}\n`);
  writeFileSync(`${base}.svg`, await renderSvg(chart));
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  log(`[${name}] done in ${seconds} s: bench/results/${name}${suffix}.md`);
}

/** floors.md: the floors of every saved result, each under the run it comes from. */
function writeFloors(quick: boolean): void {
  const suffix = quick ? '-quick' : '';
  const parts = [
    '# Floors of @aio/core',
    '',
    'Each section comes from the saved result of one run (medians of its interleaved rounds); `pnpm bench all` regenerates them all.',
    '',
  ];
  for (const [name, bench] of Object.entries(BENCHES)) {
    const file = join(resultsDir, `${name}${suffix}.json`);
    if (!existsSync(file)) continue;
    const { machine, results } = JSON.parse(readFileSync(file, 'utf8')) as {
      machine: Machine;
      results: unknown;
    };
    const { title, floors } = bench.present(results as never);
    if (floors.length === 0) continue;
    const commit = machine.commit
      ? `${machine.commit.slice(0, 12)}${machine.dirty ? ' (dirty)' : ''}`
      : 'commit not recorded';
    parts.push(
      `## ${name}: ${title}`,
      '',
      `[${name}${suffix}.md](${name}${suffix}.md), ${machine.date}, ${commit}.`,
      '',
      floorsMarkdown(floors),
      '',
    );
  }
  writeFileSync(join(resultsDir, `floors${suffix}.md`), parts.join('\n'));
}

async function main(argv: string[]): Promise<void> {
  const options: BenchOptions = {
    quick: argv.includes('--quick'),
    log,
    rounds: numberFlag(argv, 'rounds'),
    seconds: numberFlag(argv, 'seconds'),
  };
  // --render: rebuild the .md and .svg from the saved .json (after a change to a table or
  // chart), without running anything.
  const render = argv.includes('--render');
  const started = performance.now();
  for (const name of namesOf(argv)) await runOne(name, options, render);
  writeFloors(options.quick);
  log(`[bench] all done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
