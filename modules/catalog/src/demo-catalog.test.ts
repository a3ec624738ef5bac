// The demo catalog: realistic, valid, seeded into an empty database when
// SEAM_DEMO_DATA is true, and only once — across restarts and racing replicas.
import { CreateProductSchema, ProductSchema, type Product } from '@seam/catalog-contract';
import { createHost, type Host } from '@seam/platform';
import { createTestDatabase, createTestTokens, type TestDatabase } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PRODUCTS, demoProductId, seedDemoCatalog } from './demo-catalog.js';
import catalogModule from './index.js';
import { products } from './schema.js';
import { startCatalog } from './test-support.js';

describe('DEMO_PRODUCTS', () => {
  it('lists at least 24 valid products with unique skus', () => {
    expect(DEMO_PRODUCTS.length).toBeGreaterThanOrEqual(24);
    for (const product of DEMO_PRODUCTS) {
      expect(CreateProductSchema.safeParse(product).success, product.sku).toBe(true);
    }
    expect(new Set(DEMO_PRODUCTS.map((p) => p.sku)).size).toBe(DEMO_PRODUCTS.length);
  });

  it('spans several categories and mostly EUR and USD prices', () => {
    expect(new Set(DEMO_PRODUCTS.map((p) => p.category)).size).toBeGreaterThanOrEqual(5);
    const currencies = DEMO_PRODUCTS.map((p) => p.price.currency);
    const euroOrDollar = currencies.filter((c) => c === 'EUR' || c === 'USD').length;
    expect(euroOrDollar / currencies.length).toBeGreaterThan(0.75);
    expect(new Set(currencies).size).toBeGreaterThan(2);
  });

  it('derives stable, distinct uuid ids from the skus', () => {
    const ids = DEMO_PRODUCTS.map((p) => demoProductId(p.sku));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(demoProductId('COF-GRN-001')).toBe('8e9f27c6-dd9e-50b3-9b0e-03b140b75431');
  });
});

describe('seeding', () => {
  let database: TestDatabase;
  let tokens: Awaited<ReturnType<typeof createTestTokens>>;

  beforeAll(async () => {
    database = await createTestDatabase();
    tokens = await createTestTokens();
  });
  afterAll(() => database?.dispose());

  const start = (env: Record<string, string> = {}): Promise<Host> =>
    createHost({
      modules: [catalogModule],
      jwks: tokens.jwks,
      env: {
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        SEAM_DEMO_DATA: 'true',
        ...database.env,
        ...env,
      },
    });

  async function listAll(host: Host): Promise<Product[]> {
    const res = await host.app.request('/api/catalog/products?limit=100');
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: Product[] }).items;
  }

  it('fills an empty database with the demo catalog, in list order', async () => {
    const host = await start();
    try {
      const items = await listAll(host);
      expect(items.length).toBe(DEMO_PRODUCTS.length);
      expect(items.length).toBeGreaterThanOrEqual(20);
      expect(items.map((p) => p.sku)).toEqual(DEMO_PRODUCTS.map((p) => p.sku));
      for (const item of items) expect(ProductSchema.safeParse(item).success).toBe(true);
      // The contract's OpenAPI example is the first demo product, so docs examples work.
      const schemas = host.document.components?.schemas as Record<string, { example?: Product }>;
      const example = schemas.Product?.example;
      expect(example?.id).toBe(demoProductId('COF-GRN-001'));
      const grinder = await host.app.request(`/api/catalog/products/${example?.id}`);
      expect(await grinder.json()).toEqual(example);
    } finally {
      await host.close();
    }
  });

  it('seeds only once across a restart on the same database', async () => {
    const host = await start();
    try {
      const items = await listAll(host);
      expect(items.length).toBe(DEMO_PRODUCTS.length);
      expect(await host.database.db.$count(products)).toBe(DEMO_PRODUCTS.length);
      expect(items[0]?.id).toBe(demoProductId(DEMO_PRODUCTS[0]!.sku));
    } finally {
      await host.close();
    }
  });
});

describe('seeding conditions', () => {
  it('inserts each demo product once when seeds run concurrently', async () => {
    const t = await startCatalog();
    try {
      const { db } = t.host.database;
      const log = t.host.log;
      const inserted = await Promise.all([1, 2, 3, 4].map(() => seedDemoCatalog(db, log)));
      expect(inserted.reduce((sum, n) => sum + n, 0)).toBe(DEMO_PRODUCTS.length);
      expect(await t.countProducts()).toBe(DEMO_PRODUCTS.length);
      expect(await seedDemoCatalog(db, log)).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('leaves the catalog empty when SEAM_DEMO_DATA is false', async () => {
    const t = await startCatalog();
    try {
      expect(await t.countProducts()).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('does not seed a catalog that already has products', async () => {
    const database = await createTestDatabase();
    const tokens = await createTestTokens();
    const env = { LOG_LEVEL: 'silent', NODE_ENV: 'test', ...database.env };
    try {
      const first = await createHost({
        modules: [catalogModule],
        jwks: tokens.jwks,
        env: { ...env, SEAM_DEMO_DATA: 'false' },
      });
      await first.database.db.insert(products).values({
        sku: 'OWN-1',
        name: 'Our own product',
        priceAmount: 100,
        priceCurrency: 'EUR',
        category: 'own',
      });
      await first.close();
      const second = await createHost({
        modules: [catalogModule],
        jwks: tokens.jwks,
        env: { ...env, SEAM_DEMO_DATA: 'true' },
      });
      try {
        expect(await second.database.db.$count(products)).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await database.dispose();
    }
  });
});
