import { defineConfig } from 'tsup';

// TypeScript 6 deprecates options tsup's dts build still sets (baseUrl).
const dts = { compilerOptions: { ignoreDeprecations: '6.0' } };

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: true,
    dts,
    tsconfig: 'tsconfig.build.json',
  },
  {
    // The aio-probe command: one ESM file with its shebang.
    entry: { 'aio-probe': 'src/probe/cli.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    tsconfig: 'tsconfig.build.json',
  },
]);
