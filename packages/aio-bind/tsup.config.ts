import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/internal.ts'],
  // One copy of each module's state (caches, the lazily loaded FFI) for both entries.
  splitting: true,
  format: ['esm', 'cjs'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  // TypeScript 6 deprecates options tsup's dts build still sets (baseUrl).
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  tsconfig: 'tsconfig.build.json',
});
