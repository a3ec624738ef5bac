// Demo stock: seeded from the catalog's pages into an empty stock table, with
// bounded retries while the catalog is unreachable, and never in the way of
// start-up. The monolith path (real catalog) is tested in apps/server.
import { randomUUID } from 'node:crypto';
import type { Product } from '@seam/catalog-contract';
import { fakeCatalog, testProduct } from '@seam/catalog-contract/testing';
import { AppError } from '@seam/platform';
import { recordingLogger } from '@seam/platform/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STOCK_AVAILABLE, seedDemoStock } from './demo-stock.js';
import { stock } from './schema.js';
import { startInventory, type InventoryTestHost } from './test-support.js';

const FAST = { baseDelayMs: 1, maxDelayMs: 5 };

let t: InventoryTestHost;

beforeAll(async () => {
  t = await startInventory();
});
afterAll(() => t?.close());
beforeEach(async () => {
  await t.db.delete(stock);
});

/**
 * catalogOf is the catalog contract's fake holding `products`; its listProducts
 * records every query and fails the first calls with `failures`, in order.
 */
function catalogOf(products: Product[], { failures = [] as unknown[] } = {}) {
  const catalog = fakeCatalog();
  for (const product of products) catalog.add(product);
  const queries: unknown[] = [];
  const pending = [...failures];
  catalog.before = async (_operation, query) => {
    queries.push(query);
    if (pending.length > 0) throw pending.shift();
  };
  return { listProducts: catalog.client.listProducts, queries };
}

async function stockRows() {
  return t.db.select().from(stock);
}

describe('seedDemoStock', () => {
  it(`gives every catalog product ${DEMO_STOCK_AVAILABLE} units, page by page`, async () => {
    const products = Array.from({ length: 230 }, () => testProduct());
    const catalog = catalogOf(products);
    expect(await seedDemoStock(t.db, catalog.listProducts, FAST)).toEqual({
      outcome: 'seeded',
      products: 230,
    });
    expect(catalog.queries).toEqual([
      { limit: 100 },
      { limit: 100, cursor: '100' },
      { limit: 100, cursor: '200' },
    ]);
    const rows = await stockRows();
    expect(rows).toHaveLength(230);
    expect(new Set(rows.map((row) => row.productId))).toEqual(new Set(products.map((p) => p.id)));
    expect(rows.every((row) => row.available === DEMO_STOCK_AVAILABLE && row.reserved === 0)).toBe(
      true,
    );
  });

  it('does nothing when any stock exists', async () => {
    const existing = await t.product(3);
    const catalog = catalogOf([testProduct()]);
    expect(await seedDemoStock(t.db, catalog.listProducts, FAST)).toEqual({ outcome: 'skipped' });
    expect(catalog.queries).toEqual([]);
    expect(await stockRows()).toEqual([expect.objectContaining({ productId: existing })]);
  });

  it('leaves a row someone wrote during the seed as it is', async () => {
    const catalog = fakeCatalog();
    const [first, second] = [catalog.add(), catalog.add()];
    catalog.before = async () => {
      await t.call('PUT', `/stock/${second.id}`, { available: 2 }, t.adminToken);
    };
    expect(await seedDemoStock(t.db, catalog.client.listProducts, FAST)).toEqual({
      outcome: 'seeded',
      products: 1,
    });
    expect(await t.stockOf(second.id)).toMatchObject({ available: 2 });
    expect(await t.stockOf(first.id)).toMatchObject({ available: DEMO_STOCK_AVAILABLE });
  });

  it('retries while the catalog is unreachable, then seeds', async () => {
    const unreachable = AppError.unavailable('catalog is down', 'module-unreachable');
    const catalog = catalogOf([testProduct(), testProduct()], {
      failures: [unreachable, unreachable, new Error('socket hang up')],
    });
    expect(await seedDemoStock(t.db, catalog.listProducts, FAST)).toEqual({
      outcome: 'seeded',
      products: 2,
    });
    expect(catalog.queries).toHaveLength(4);
  });

  it('gives up after the last try with the last error and writes nothing', async () => {
    const down = AppError.unavailable('catalog is down', 'module-unreachable');
    const catalog = catalogOf([testProduct()], {
      failures: Array.from({ length: 10 }, () => down),
    });
    await expect(seedDemoStock(t.db, catalog.listProducts, { ...FAST, attempts: 4 })).rejects.toBe(
      down,
    );
    expect(catalog.queries).toHaveLength(4);
    expect(await stockRows()).toEqual([]);
  });

  it('does not retry an error the catalog will answer again (4xx)', async () => {
    const invalid = AppError.badRequest('bad query', 'validation-failed');
    const catalog = catalogOf([testProduct()], { failures: [invalid] });
    await expect(seedDemoStock(t.db, catalog.listProducts, FAST)).rejects.toBe(invalid);
    expect(catalog.queries).toHaveLength(1);
  });

  it('stops waiting between tries when aborted', async () => {
    const down = AppError.unavailable('catalog is down', 'module-unreachable');
    const catalog = catalogOf([testProduct()], {
      failures: Array.from({ length: 10 }, () => down),
    });
    const controller = new AbortController();
    const seeding = seedDemoStock(t.db, catalog.listProducts, {
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      signal: controller.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await seeding).toEqual({ outcome: 'aborted' });
    expect(catalog.queries).toHaveLength(1);
  });
});

describe('demo stock at start-up', () => {
  it('does not hold up start-up while the catalog is unreachable, and stops with the host', async () => {
    const { log, messages } = recordingLogger();
    const host = await startInventory({ env: { SEAM_DEMO_DATA: 'true' }, log });
    try {
      expect((await host.request('/health/ready')).status).toBe(200);
      expect(await host.stockOf(randomUUID())).toMatchObject({ available: 0 });
    } finally {
      await host.close();
    }
    // The seed was still backing off when the host closed; stop() aborted it.
    expect(messages).toContain('demo stock seeding stopped');
    expect(messages).not.toContain('seeded demo stock');
  });

  it('does not seed with SEAM_DEMO_DATA off', async () => {
    const { log, messages } = recordingLogger();
    const host = await startInventory({ log });
    await host.close();
    expect(messages.filter((message) => message.includes('demo stock'))).toEqual([]);
  });
});
