import { defineConfig } from 'vitest/config';

// One run covers every project's tests; the browser suite has its own config
// (apps/e2e) because it needs Chromium.
export default defineConfig({
  test: {
    include: ['modules/**/*.test.ts', 'apps/**/*.test.ts'],
    // *.postgres.test.ts need several processes on one database, which a PGlite
    // folder cannot give; they run when DATABASE_URL names a Postgres server.
    exclude: [
      '**/node_modules/**',
      'apps/e2e/**',
      ...(process.env.DATABASE_URL ? [] : ['**/*.postgres.test.ts']),
      // *.nats.test.ts need a NATS server with JetStream; they run when NATS_URL names one.
      ...(process.env.NATS_URL ? [] : ['**/*.nats.test.ts']),
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { LOG_LEVEL: 'silent' },
  },
});
