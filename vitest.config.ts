import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Fails the run at once, naming the package, when a program the tests start is missing.
    globalSetup: ['tests/support/required-programs.ts'],
    // Integration tests each start their own Xvfb; two cores, so keep files from piling up.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
