// The end-to-end suite (`npm run test:e2e`): each file starts the real server as a
// child process, so files run one at a time with generous timeouts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Paths are relative to the repository root, whichever folder vitest is started from.
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['apps/e2e/src/**/*.e2e.ts'],
    // *.postgres.e2e.ts run replicas of one service on one database, which a PGlite
    // folder cannot give; they run when DATABASE_URL names a Postgres server (CI does).
    // *.netns.e2e.ts create network namespaces (a partition), which needs root (CI is).
    exclude: [
      '**/node_modules/**',
      ...(process.env.DATABASE_URL ? [] : ['**/*.postgres.e2e.ts']),
      ...(process.getuid?.() === 0 ? [] : ['**/*.netns.e2e.ts']),
      // *.nats.e2e.ts need NATS with JetStream (NATS_URL; CI starts it) and nats-server.
      ...(process.env.NATS_URL ? [] : ['**/*.nats.e2e.ts']),
    ],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
  },
});
