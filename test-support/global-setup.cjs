// jest globalSetup: bundles @aio/bind and @aio/core (from their TypeScript sources) for the
// tests that run code in child processes. Done here, in jest's parent process, because
// esbuild's sync API keeps a worker thread and a service process alive in the process that
// calls it, which the per-file leak check would (rightly) see as open fds.
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { buildSync } = require('esbuild');

const root = join(__dirname, '..');

module.exports = function globalSetup() {
  const dir = join(root, 'packages', 'aio-bind', '.bundles');
  mkdirSync(dir, { recursive: true });
  for (const [name, entry] of [
    ['bind', 'packages/aio-bind/src/index.ts'],
    ['core', 'packages/aio/src/index.ts'],
  ]) {
    buildSync({
      entryPoints: [join(root, entry)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile: join(dir, `${name}.cjs`),
      external: ['koffi'],
      alias: {
        '@aio/bind/internal': join(root, 'packages/aio-bind/src/internal.ts'),
        '@aio/bind': join(root, 'packages/aio-bind/src/index.ts'),
      },
      logLevel: 'silent',
    });
  }
};
