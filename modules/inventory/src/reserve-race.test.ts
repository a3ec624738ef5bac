// Concurrency: many orders racing for scarce stock, in-process and over real
// HTTP. Exactly the units in stock are sold, never more; a multi-item
// reservation is whole or absent; opposite lock orders never deadlock. On
// Postgres the transactions truly overlap; on PGlite they are serialised.
import { randomUUID } from 'node:crypto';
import { inventoryContract, type Reservation } from '@seam/inventory-contract';
import { createClient, createHttpTransport, type ModuleClient } from '@seam/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle, startInventory, type InventoryTestHost, type Settled } from './test-support.js';

const SERVICE_TOKEN = 'inventory-race-service-token-0123456789abcdef';
const RACERS = 20;

let t: InventoryTestHost;
let overHttp: ModuleClient<typeof inventoryContract>;

beforeAll(async () => {
  t = await startInventory({ listen: true, env: { SEAM_SERVICE_TOKEN: SERVICE_TOKEN } });
  overHttp = createClient(
    inventoryContract,
    createHttpTransport({ baseUrl: t.url!, serviceToken: SERVICE_TOKEN }),
    { caller: 'race-test', defaultTimeoutMs: 20_000 },
  );
});
afterAll(() => t?.close());

type Client = ModuleClient<typeof inventoryContract>;

const transports: [string, (i: number) => Client][] = [
  ['in-process', () => t.inventory],
  ['HTTP', () => overHttp],
  ['both transports at once', (i) => (i % 2 === 0 ? t.inventory : overHttp)],
];

/** outcome summarises settled reservations: the winners and the codes of the losers. */
function outcome(results: Settled<Reservation>[]) {
  const won = results.flatMap((r) => (r.ok ? [r.value] : []));
  const lost = results.flatMap((r) => (r.ok ? [] : [r.problem]));
  return { won, lost, lostCodes: [...new Set(lost.map((p) => `${p.status} ${p.code}`))] };
}

describe('the race for the last unit', () => {
  it.each(transports)(
    `sells it exactly once to one of ${RACERS} orders racing %s`,
    async (_name, client) => {
      const productId = await t.product(1);
      const orderIds = Array.from({ length: RACERS }, () => randomUUID());
      const results = await Promise.all(
        orderIds.map((orderId, i) =>
          settle(client(i).reserve({ orderId, items: [{ productId, quantity: 1 }] })),
        ),
      );
      const { won, lost, lostCodes } = outcome(results);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(RACERS - 1);
      expect(lostCodes).toEqual(['409 inventory.insufficient-stock']);
      for (const problem of lost) {
        expect(problem.errors).toEqual([
          expect.objectContaining({
            path: 'items.0.quantity',
            message: expect.stringMatching(/^Only 0 units are available/),
          }),
        ]);
      }
      expect(await t.stockOf(productId)).toEqual({ productId, available: 0, reserved: 1 });
      // The losers recorded nothing: only the winner has a reservation to commit.
      for (const orderId of orderIds) {
        const committed = await settle(t.inventory.commit({ orderId }));
        expect(committed.ok).toBe(orderId === won[0]!.orderId);
      }
    },
  );
});

describe('multi-item reservations racing each other', () => {
  it('gives both units of a pair to one of two orders asking in opposite orders', async () => {
    for (let round = 0; round < 10; round++) {
      const [p, q] = [await t.product(1), await t.product(1)];
      const results = await Promise.all([
        settle(
          overHttp.reserve({
            orderId: randomUUID(),
            items: [
              { productId: p, quantity: 1 },
              { productId: q, quantity: 1 },
            ],
          }),
        ),
        settle(
          t.inventory.reserve({
            orderId: randomUUID(),
            items: [
              { productId: q, quantity: 1 },
              { productId: p, quantity: 1 },
            ],
          }),
        ),
      ]);
      const { won, lostCodes } = outcome(results);
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lostCodes).toEqual(['409 inventory.insufficient-stock']);
      expect(won[0]!.items).toHaveLength(2);
      expect(await t.stockOf(p)).toMatchObject({ available: 0, reserved: 1 });
      expect(await t.stockOf(q)).toMatchObject({ available: 0, reserved: 1 });
    }
  });

  it('never deadlocks nor leaves a partial reservation when three orders overlap in a cycle', async () => {
    for (let round = 0; round < 10; round++) {
      const [a, b, c] = [await t.product(1), await t.product(1), await t.product(1)];
      const pairs = [
        [a, b],
        [b, c],
        [c, a],
      ];
      const results = await Promise.all(
        pairs.map(([x, y], i) =>
          settle(
            (i === 1 ? overHttp : t.inventory).reserve({
              orderId: randomUUID(),
              items: [
                { productId: x!, quantity: 1 },
                { productId: y!, quantity: 1 },
              ],
            }),
          ),
        ),
      );
      const { won, lostCodes } = outcome(results);
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lostCodes).toEqual(['409 inventory.insufficient-stock']);
      const held = new Set(won[0]!.items.map((item) => item.productId));
      for (const productId of [a, b, c]) {
        expect(await t.stockOf(productId)).toMatchObject(
          held.has(productId) ? { available: 0, reserved: 1 } : { available: 1, reserved: 0 },
        );
      }
    }
  });

  it('keeps available + reserved constant and reserved equal to what the winners hold', async () => {
    const STOCK = 3;
    const products = await Promise.all(Array.from({ length: 8 }, () => t.product(STOCK)));
    const requests = Array.from({ length: 40 }, (_, i) => {
      const picked = [...products].sort(() => Math.random() - 0.5).slice(0, 3);
      return {
        client: i % 2 === 0 ? t.inventory : overHttp,
        input: {
          orderId: randomUUID(),
          items: picked.map((productId) => ({ productId, quantity: 1 + (i % 2) })),
        },
      };
    });
    const results = await Promise.all(
      requests.map(({ client, input }) => settle(client.reserve(input))),
    );
    const { won, lostCodes } = outcome(results);
    expect(won.length).toBeGreaterThan(0);
    expect(lostCodes.filter((code) => code !== '409 inventory.insufficient-stock')).toEqual([]);
    const held = new Map<string, number>();
    for (const reservation of won) {
      expect(reservation.items).toHaveLength(3);
      for (const { productId, quantity } of reservation.items) {
        held.set(productId, (held.get(productId) ?? 0) + quantity);
      }
    }
    const { items } = await t.inventory.getStock({ productIds: products });
    for (const { productId, available, reserved } of items) {
      expect(available + reserved).toBe(STOCK);
      expect(reserved).toBe(held.get(productId) ?? 0);
    }
  });
});
