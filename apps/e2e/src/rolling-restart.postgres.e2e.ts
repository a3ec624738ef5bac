// Rolling restarts under steady load: the whole shop as one service with two
// replicas behind the gateway (two replicas share a database, so Postgres only),
// then a split service with two replicas. Each replica in turn gets SIGTERM —
// what a process manager or Kubernetes sends — and is started again while
// shoppers keep browsing, filling carts and checking out. No client request may
// fail: the stopping replica stops accepting, finishes what it has, and the
// gateway sends the rest to the other one.
import { loadTopology, type Topology } from '@seam/platform';
import { REPO_ROOT, startTopology, type TopologyRun } from '@seam/platform/processes';
import { createTopologyDatabases } from '@seam/platform/testing';
import type { Product } from '@seam/catalog-contract';
import { fetchRequester, shop, SUCCESS, type Shop, type Shopper } from '@seam/shopper';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN, ADMIN_ENV } from './support/journey.js';

const WORKERS = 8;
/** Requests no worker sends after this long, whatever happened. */
const LOAD_BOUND_MS = 120_000;

describe.each([
  {
    name: 'the monolith, two replicas',
    restarted: 'shop',
    topology: async (): Promise<Topology> => {
      const monolith = await loadTopology(join(REPO_ROOT, 'topology/monolith.json'));
      const [only] = Object.values(monolith.services);
      return {
        services: {
          shop: {
            modules: only!.modules,
            replicas: ['http://127.0.0.1:1', 'http://127.0.0.1:2'],
          },
        },
      };
    },
  },
  {
    name: 'a split service (storefront of grouped.json), two replicas',
    restarted: 'storefront',
    topology: async (): Promise<Topology> => {
      const grouped = await loadTopology(join(REPO_ROOT, 'topology/grouped.json'));
      const storefront = grouped.services.storefront!;
      return {
        services: {
          ...grouped.services,
          storefront: { ...storefront, replicas: [...storefront.replicas, 'http://127.0.0.1:2'] },
        },
      };
    },
  },
])('SIGTERM to each replica of $name under load', ({ restarted, topology }) => {
  it('fails no client request', async () => {
    const databases = await createTopologyDatabases(await topology());
    let run: TopologyRun | undefined;
    try {
      run = await startTopology({
        topology: await topology(),
        serviceEnv: databases.serviceEnv,
        // Stopping replicas say "not ready" for 1.5 s before they close; the gateway
        // probes every 250 ms, so it has moved traffic away by then.
        env: { ...ADMIN_ENV, SEAM_DEMO_DATA: 'true', SEAM_SHUTDOWN_DRAIN_MS: '1500' },
        gatewayEnv: { SEAM_GATEWAY_PROBE_MS: '250', SEAM_GATEWAY_EJECT_MS: '500' },
      });
      const api = shop(fetchRequester(run.url, { timeoutMs: 20_000 }));
      const [product] = (await api.products(1)) as [Product];
      const admin = await api.logIn(ADMIN.email, ADMIN.password);
      await api.setStock(admin, product.id, 1_000_000);
      const shoppers: Shopper[] = [];
      for (let i = 0; i < WORKERS; i++) shoppers.push(await api.signUp(`Rolling${i}`));

      const failures: string[] = [];
      const counts = { requests: 0, orders: 0 };
      let stopping = false;
      const started = Date.now();
      const worker = async (shopper: Shopper) => {
        while (!stopping && Date.now() - started < LOAD_BOUND_MS) {
          await step(api, shopper, product, counts, failures, started);
        }
      };
      const load = Promise.all(shoppers.map(worker));

      const restarts: string[] = [];
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      for (const [index, replica] of run.replicas(restarted).entries()) {
        const before = counts.requests;
        const stopAt = Date.now() - started;
        const stopped = await replica.stop();
        await run.restart(restarted, index);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        restarts.push(
          `${replica.name} (SIGTERM at ${stopAt} ms): exit ${stopped.signal ?? stopped.code} after ${Math.round(stopped.ms)} ms, ${counts.requests - before} requests meanwhile`,
        );
      }
      stopping = true;
      await load;
      console.info(
        `rolling restart of ${restarted}: ${counts.requests} requests, ${counts.orders} orders, ${failures.length} failed\n  ${[...restarts, ...failures].join('\n  ')}`,
      );
      expect(failures).toEqual([]);
      expect(restarts).toHaveLength(2);
      expect(counts.orders).toBeGreaterThan(0);
    } finally {
      await run?.stop();
      await databases.dispose();
    }
  }, 300_000);
});

/** step is one shopper's round: browse, read a product, add it, check out; any failure is noted. */
async function step(
  api: Shop,
  shopper: Shopper,
  product: Product,
  counts: { requests: number; orders: number },
  failures: string[],
  started: number,
): Promise<void> {
  const calls: [string, () => Promise<unknown>][] = [
    ['list', () => api.products(5)],
    ['get', () => api.expect(200, 'GET', `/api/catalog/products/${product.id}`)],
    ['add', () => api.addToCart(shopper, product, 1)],
    [
      'checkout',
      async () => {
        const order = await api.placeOrder(shopper, SUCCESS, randomUUID());
        if (order.status === 'confirmed') counts.orders += 1;
      },
    ],
  ];
  for (const [name, call] of calls) {
    counts.requests += 1;
    try {
      await call();
    } catch (error) {
      failures.push(
        `${name} at ${Date.now() - started} ms: ${(error as Error).message.slice(0, 300)}`,
      );
    }
  }
  // The confirmation empties the cart (an event); let it land before the next add.
  await new Promise((resolve) => setTimeout(resolve, 50));
}
