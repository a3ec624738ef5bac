// Postgres only (several processes on one database; a PGlite folder opens in one
// process): replicas that start together seed the demo catalog exactly once.
import { createHost, type Host } from '@seam/platform';
import { createTestDatabase, createTestTokens } from '@seam/platform/testing';
import { expect, it } from 'vitest';
import { DEMO_PRODUCTS } from './demo-catalog.js';
import catalogModule from './index.js';
import { products } from './schema.js';

it('seeds once when replicas start together on one Postgres database', async () => {
  const fresh = await createTestDatabase();
  const tokens = await createTestTokens();
  const hosts: Host[] = [];
  try {
    const started = await Promise.allSettled(
      [1, 2, 3].map((replica) =>
        createHost({
          modules: [catalogModule],
          jwks: tokens.jwks,
          env: {
            LOG_LEVEL: 'silent',
            NODE_ENV: 'test',
            SEAM_DEMO_DATA: 'true',
            SEAM_SERVICE: `catalog-${replica}`,
            ...fresh.env,
          },
        }),
      ),
    );
    for (const result of started) if (result.status === 'fulfilled') hosts.push(result.value);
    expect(started.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await hosts[0]!.database.db.$count(products)).toBe(DEMO_PRODUCTS.length);
  } finally {
    await Promise.all(hosts.map((host) => host.close()));
    await fresh.dispose();
  }
});
