/** Jest runs the TypeScript sources of both packages directly (no build needed). */
/** @type {import('jest').Config} */
module.exports = {
  // node's environment plus a leak check after each file (rings and fds back to before).
  testEnvironment: '<rootDir>/test-support/environment.cjs',
  roots: ['<rootDir>/packages'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  moduleNameMapper: {
    // Sources import './x.js' (ESM style); jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@aio/bind$': '<rootDir>/packages/aio-bind/src/index.ts',
    '^@aio/bind/internal$': '<rootDir>/packages/aio-bind/src/internal.ts',
    '^@aio/core$': '<rootDir>/packages/aio/src/index.ts',
  },
  globalSetup: '<rootDir>/test-support/global-setup.cjs',
  setupFilesAfterEnv: ['<rootDir>/test-support/leak-check.ts'],
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.cjs'],
  testTimeout: 30_000,
};
