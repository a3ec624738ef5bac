// The end-to-end suite (`npm run test:e2e`): each file starts the real server as a
// child process, so files run one at a time with generous timeouts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Paths are relative to the repository root, whichever folder vitest is started from.
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['apps/e2e/src/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
