import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  // The packages under test are used as users get them: their built dist.
  external: ['@aio/core', '@aio/bind'],
});
