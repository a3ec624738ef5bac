import { defineConfig } from 'vitest/config';

// One run covers every project's tests; the browser suite has its own config
// (apps/e2e) because it needs Chromium.
export default defineConfig({
  test: {
    include: ['modules/**/*.test.ts', 'apps/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'apps/e2e/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { LOG_LEVEL: 'silent' },
  },
});
