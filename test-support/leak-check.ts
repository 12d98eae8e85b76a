// Runs in every test file (jest setupFilesAfterEnv): the lazily created default context of
// @aio/core lives in the file's module registry, so the file closes it. The leak check itself
// runs after all hooks, in test-support/environment.cjs.
afterAll(async () => {
  const core = jest.requireActual('../packages/aio/src/context/default-context.ts') as {
    closeDefaultContext(): Promise<void>;
  };
  await core.closeDefaultContext();
});
