// pnpm test: the test suite, in two jest runs.
//   1. every *.test.ts, in parallel workers;
//   2. every *.serial.test.ts, one at a time (--runInBand), after the first: they change
//      system-wide state (they use up /proc/sys/fs/aio-max-nr, mount a small filesystem),
//      which would make tests in parallel workers fail at random.
// Each run prints its own `jest: N passed, N failed, N skipped` line; this script prints the
// sum last, which is the line .ci/run reads.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const jest = require.resolve('jest/bin/jest');
const extra = process.argv.slice(2);

function run(args) {
  const result = spawnSync(process.execPath, [jest, ...args, ...extra], {
    stdio: ['inherit', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  process.stdout.write(result.stdout);
  const line = result.stdout.match(/^jest: (\d+) passed, (\d+) failed, (\d+) skipped$/m);
  return {
    status: result.status ?? 1,
    counts: line ? line.slice(1).map(Number) : [0, result.status === 0 ? 0 : 1, 0],
  };
}

const parallel = run(['--testPathIgnorePatterns', '\\.serial\\.test\\.ts$']);
const serial = run([
  '--runInBand',
  '--passWithNoTests',
  '--testMatch',
  '**/test/**/*.serial.test.ts',
]);
const [passed, failed, skipped] = [0, 1, 2].map((i) => parallel.counts[i] + serial.counts[i]);
process.stdout.write(`jest: ${passed} passed, ${failed} failed, ${skipped} skipped (all runs)\n`);
process.exitCode = parallel.status !== 0 || serial.status !== 0 ? 1 : 0;
