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
    // Processes of their own: each seed participant (fresh per run), the io_uring peer, the
    // analysis (hooks before @aio/bind's first syscall), the HTTP servers and the worker threads
    // of `pnpm bench workers`. CommonJS on purpose: node 20 loads ES modules through the libuv
    // threadpool (4 more threads in every process), which would hide what the participants' own
    // I/O costs in threads. shims: import.meta.url in CommonJS.
    entry: [
      'src/seed-worker.ts',
      'src/peer.ts',
      'src/analyze-worker.ts',
      'src/http-server.ts',
      'src/workers-thread.ts',
    ],
    format: ['cjs'],
    shims: true,
    outExtension: () => ({ js: '.cjs' }),
  },
]);
