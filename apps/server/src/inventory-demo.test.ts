// Demo stock across modules: with SEAM_DEMO_DATA on, inventory pages through
// the catalog's demo products and stocks each of them — in the monolith, where
// catalog seeds itself first, and split, where inventory starts before the
// catalog process is up and keeps retrying until it is.
import { createServer } from 'node:net';
import catalog from '@seam/catalog';
import { catalogContract, type Product } from '@seam/catalog-contract';
import inventory from '@seam/inventory';
import { inventoryContract } from '@seam/inventory-contract';
import type { Clients } from '@seam/platform';
import { startTestHost, type TestHost } from '@seam/platform/testing';
import users from '@seam/users';
import { usersContract } from '@seam/users-contract';
import { afterEach, describe, expect, it, vi } from 'vitest';

const SERVICE_TOKEN = 'inventory-demo-service-token-0123456789abcdef';

const hosts: TestHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.close()));
});

/** allProducts follows the catalog's pages to the end. */
async function allProducts(clients: Clients): Promise<Product[]> {
  const products: Product[] = [];
  let cursor: string | undefined;
  do {
    const page = await clients
      .of(catalogContract)
      .listProducts(cursor ? { limit: 100, cursor } : { limit: 100 });
    products.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return products;
}

/** expectAllStocked waits until every product has stock available (the seed runs in the background). */
async function expectAllStocked(clients: Clients, products: Product[]): Promise<void> {
  await vi.waitFor(
    async () => {
      const { items } = await clients
        .of(inventoryContract)
        .getStock({ productIds: products.map((product) => product.id) });
      expect(items.filter((item) => item.available <= 0)).toEqual([]);
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** freePort asks the OS for a port nothing listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('demo stock', () => {
  it('stocks every demo product in the monolith', async () => {
    const t = await startTestHost({
      modules: [users, catalog, inventory],
      jwks: (clients) => clients.of(usersContract).getJwks({}),
      env: { SEAM_DEMO_DATA: 'true' },
    });
    hosts.push(t);
    const products = await allProducts(t.host.clients);
    expect(products.length).toBeGreaterThan(0);
    await expectAllStocked(t.host.clients, products);
    const [first] = products;
    const res = await t.request(`/api/inventory/stock/${first!.id}`);
    expect(await res.json()).toEqual({ productId: first!.id, available: 25, reserved: 0 });
  });

  it('stocks every demo product once the catalog process comes up after inventory', async () => {
    const catalogPort = await freePort();
    const shared = { SEAM_DEMO_DATA: 'true', SEAM_SERVICE_TOKEN: SERVICE_TOKEN };
    const inventoryHost = await startTestHost({
      modules: [users, catalog, inventory],
      env: {
        ...shared,
        SEAM_SERVICE: 'inventory',
        SEAM_MODULES: 'inventory',
        SEAM_REMOTES: `catalog=http://127.0.0.1:${catalogPort}`,
      },
    });
    hosts.push(inventoryHost);
    // Inventory is up and the catalog is not: its calls fail and the seed backs off.
    await expect(
      inventoryHost.host.clients.of(catalogContract).listProducts({}),
    ).rejects.toMatchObject({
      status: 503,
    });

    const catalogHost = await startTestHost({
      modules: [users, catalog, inventory],
      env: { ...shared, SEAM_SERVICE: 'catalog', SEAM_MODULES: 'catalog' },
    });
    hosts.push(catalogHost);
    await catalogHost.host.listen(catalogPort);

    const products = await allProducts(catalogHost.host.clients);
    expect(products.length).toBeGreaterThan(0);
    await expectAllStocked(inventoryHost.host.clients, products);
  });
});
