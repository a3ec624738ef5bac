// The inventory's exported surface, its configuration, its OpenAPI document,
// and its operations through the typed client, in-process and over HTTP.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { inventoryContract, StockSchema } from '@seam/inventory-contract';
import { createClient, createHttpTransport, loadConfig, type ModuleClient } from '@seam/platform';
import { documentedOperations, startTestHost } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryConfig, sweepIntervalMs } from './config.js';
import inventoryModule from './index.js';
import { settle, startInventory, type InventoryTestHost } from './test-support.js';

const SERVICE_TOKEN = 'inventory-test-service-token-0123456789abcdef';

let t: InventoryTestHost;
let overHttp: ModuleClient<typeof inventoryContract>;

beforeAll(async () => {
  t = await startInventory({ listen: true, env: { SEAM_SERVICE_TOKEN: SERVICE_TOKEN } });
  overHttp = createClient(
    inventoryContract,
    createHttpTransport({ baseUrl: t.url!, serviceToken: SERVICE_TOKEN }),
    { caller: 'test', defaultTimeoutMs: 10_000 },
  );
});
afterAll(() => t?.close());

describe('exported surface', () => {
  it('pins the contract name, operations and routes', () => {
    expect(inventoryModule.contract).toBe(inventoryContract);
    expect(inventoryContract.name).toBe('inventory');
    expect(
      Object.fromEntries(
        Object.entries(inventoryContract.operations).map(([name, op]) => [name, op.idempotent]),
      ),
    ).toEqual({ reserve: true, commit: true, release: true, getStock: true });
    expect(
      Object.entries(inventoryContract.routes).map(
        ([name, route]) => `${name} ${route.method.toUpperCase()} ${route.path}`,
      ),
    ).toEqual(['getStock GET /stock/{productId}', 'setStock PUT /stock/{productId}']);
    expect(inventoryContract.events).toBeUndefined();
    expect(inventoryModule.consumes).toBeUndefined();
  });

  it('declares its one config variable and ships its migrations folder', async () => {
    expect(Object.keys(inventoryModule.config ?? {})).toEqual(['SEAM_RESERVATION_TTL_SECONDS']);
    expect(inventoryModule.config).toBe(inventoryConfig);
    expect(await readdir(inventoryModule.migrationsFolder)).toContain('meta');
  });
});

describe('configuration', () => {
  it('defaults the reservation TTL to 900 seconds', () => {
    expect(inventoryConfig.SEAM_RESERVATION_TTL_SECONDS.parse(undefined)).toBe(900);
    expect(inventoryConfig.SEAM_RESERVATION_TTL_SECONDS.parse('60')).toBe(60);
  });

  it.each([['0'], ['-5'], ['1.5'], ['soon'], ['604801']])(
    'rejects SEAM_RESERVATION_TTL_SECONDS=%s',
    (value) => {
      expect(() => loadConfig({ SEAM_RESERVATION_TTL_SECONDS: value }, [inventoryConfig])).toThrow(
        expect.objectContaining({
          code: 'invalid-configuration',
          errors: [expect.objectContaining({ path: 'SEAM_RESERVATION_TTL_SECONDS' })],
        }),
      );
    },
  );

  it('stops a host from starting with an invalid TTL', async () => {
    const started = startTestHost({
      modules: [inventoryModule],
      env: { SEAM_RESERVATION_TTL_SECONDS: '0' },
    });
    await expect(started).rejects.toMatchObject({ code: 'invalid-configuration' });
  });

  it('sweeps every half TTL, at most every 30 seconds', () => {
    expect(sweepIntervalMs(1)).toBe(500);
    expect(sweepIntervalMs(20)).toBe(10_000);
    expect(sweepIntervalMs(900)).toBe(30_000);
  });
});

describe('OpenAPI document', () => {
  it('documents both routes with summary, tags, error responses and security', () => {
    const operations = documentedOperations(t.host.document, 'inventory');
    expect(operations.map((o) => o.key).sort()).toEqual([
      'get /api/inventory/stock/{productId}',
      'put /api/inventory/stock/{productId}',
    ]);
    for (const { key, op } of operations) {
      expect(op.summary, key).toEqual(expect.any(String));
      expect(op.description, key).toEqual(expect.any(String));
      expect(op.tags).toEqual(['inventory']);
    }
    const byKey = Object.fromEntries(operations.map((o) => [o.key, o.op]));
    const get = byKey['get /api/inventory/stock/{productId}']!;
    const put = byKey['put /api/inventory/stock/{productId}']!;
    expect(Object.keys(get.responses).sort()).toEqual(['200', '400']);
    expect(get.security).toEqual([]);
    expect(Object.keys(put.responses).sort()).toEqual(['200', '400', '401', '403', '413', '415']);
    expect(put.security).toEqual([{ bearerAuth: [] }]);
  });

  it('registers Stock and SetStock as components and never lists internal operations', () => {
    const schemas = t.host.document.components?.schemas as Record<string, unknown>;
    expect(schemas.Stock).toBeDefined();
    expect(schemas.SetStock).toBeDefined();
    expect(Object.keys(t.host.document.paths ?? {}).some((p) => p.includes('internal'))).toBe(
      false,
    );
  });
});

describe('operations over both transports', () => {
  it('runs a reservation through HTTP and reads it back in-process', async () => {
    const productId = await t.product(5);
    const orderId = randomUUID();
    const reserved = await overHttp.reserve({ orderId, items: [{ productId, quantity: 2 }] });
    expect(reserved).toMatchObject({ orderId, status: 'reserved' });
    expect(await t.inventory.reserve({ orderId, items: [{ productId, quantity: 2 }] })).toEqual(
      reserved,
    );
    expect(await overHttp.getStock({ productIds: [productId] })).toEqual({
      items: [StockSchema.parse({ productId, available: 3, reserved: 2 })],
    });
    expect(await overHttp.commit({ orderId })).toEqual(await t.inventory.commit({ orderId }));
  });

  it('gives identical typed errors in-process and over HTTP', async () => {
    const productId = await t.product(1);
    const calls: [string, (c: ModuleClient<typeof inventoryContract>) => Promise<unknown>][] = [
      [
        'insufficient stock',
        (c) => c.reserve({ orderId: randomUUID(), items: [{ productId, quantity: 2 }] }),
      ],
      [
        'a duplicated product',
        (c) =>
          c.reserve({
            orderId: randomUUID(),
            items: [
              { productId, quantity: 1 },
              { productId, quantity: 1 },
            ],
          }),
      ],
      ['an unknown order', (c) => c.commit({ orderId: randomUUID() })],
      ['invalid input', (c) => c.release({ orderId: 'not-a-uuid' })],
    ];
    for (const [what, call] of calls) {
      const local = await settle(call(t.inventory));
      const remote = await settle(call(overHttp));
      expect(local.ok, what).toBe(false);
      // Order ids differ between the two calls, so compare what does not name them.
      const shape = (s: typeof local) =>
        s.ok ? s : { status: s.problem.status, code: s.problem.code, errors: s.problem.errors };
      expect(shape(remote), what).toEqual(shape(local));
    }
    expect(await t.stockOf(productId)).toMatchObject({ available: 1, reserved: 0 });
  });
});
