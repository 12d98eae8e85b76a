import { defineConfig } from 'tsup';

const common = {
  target: 'node20' as const,
  platform: 'node' as const,
  sourcemap: true,
  // The packages under test are used as users get them: their built dist.
  external: ['@aio/core', '@aio/bind', 'vega', 'vega-lite'],
};

export default defineConfig([
  { ...common, entry: ['src/cli.ts'], format: ['esm'], clean: true },
  {
    ...common,
    // Each participant of `pnpm bench seed` runs in a fresh process. CommonJS on purpose: node
    // 20 loads ES modules through the libuv threadpool (4 more threads in every process), which
    // would hide what the participants' own I/O costs in threads.
    entry: ['src/seed-worker.ts', 'src/http-server.ts', 'src/workers-thread.ts'],
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
  },
]);
