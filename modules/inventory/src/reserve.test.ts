// Reserving stock: every item or nothing, field errors naming what is short,
// and idempotent per order id — also when the same order races itself.
import { randomUUID } from 'node:crypto';
import { ReservationSchema } from '@seam/inventory-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectedProblem, settle, startInventory, type InventoryTestHost } from './test-support.js';

const TTL_SECONDS = 600;

let t: InventoryTestHost;

beforeAll(async () => {
  t = await startInventory({ env: { SEAM_RESERVATION_TTL_SECONDS: String(TTL_SECONDS) } });
});
afterAll(() => t?.close());

/** unchanged runs `action` and asserts no inventory row changed. */
async function unchanged(action: () => Promise<unknown>): Promise<void> {
  const before = await t.snapshot();
  await action();
  expect(await t.snapshot()).toEqual(before);
}

describe('reserve', () => {
  it('holds every item: available goes down, reserved goes up, expiry is TTL ahead', async () => {
    const [a, b] = [await t.product(5), await t.product(3)];
    const orderId = randomUUID();
    const before = Date.now();
    const reservation = await t.inventory.reserve({
      orderId,
      items: [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 3 },
      ],
    });
    expect(ReservationSchema.parse(reservation)).toEqual(reservation);
    expect(reservation).toMatchObject({ orderId, status: 'reserved' });
    expect(reservation.items).toEqual(
      [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 3 },
      ].sort((x, y) => (x.productId < y.productId ? -1 : 1)),
    );
    const expiresIn = Date.parse(reservation.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan((TTL_SECONDS - 60) * 1000);
    expect(expiresIn).toBeLessThan((TTL_SECONDS + 60) * 1000);
    expect(await t.stockOf(a)).toMatchObject({ available: 3, reserved: 2 });
    expect(await t.stockOf(b)).toMatchObject({ available: 0, reserved: 3 });
  });

  it('answers items in product id order, whatever the request order', async () => {
    const ids = [await t.product(1), await t.product(1), await t.product(1)];
    const reservation = await t.inventory.reserve({
      orderId: randomUUID(),
      items: ids.map((productId) => ({ productId, quantity: 1 })).reverse(),
    });
    expect(reservation.items.map((item) => item.productId)).toEqual([...ids].sort());
  });

  it('accepts uppercase ids and stores them canonically', async () => {
    const productId = await t.product(2);
    const orderId = randomUUID();
    const reservation = await t.inventory.reserve({
      orderId: orderId.toUpperCase(),
      items: [{ productId: productId.toUpperCase(), quantity: 1 }],
    });
    expect(reservation).toMatchObject({ orderId, items: [{ productId, quantity: 1 }] });
    expect(await t.stockOf(productId)).toMatchObject({ available: 1, reserved: 1 });
  });

  it('reserves nothing when one item is short, with a 409 naming the units available', async () => {
    const [plenty, scarce] = [await t.product(10), await t.product(2)];
    await unchanged(async () => {
      const problem = await rejectedProblem(
        t.inventory.reserve({
          orderId: randomUUID(),
          items: [
            { productId: plenty, quantity: 4 },
            { productId: scarce, quantity: 3 },
          ],
        }),
      );
      expect(problem).toMatchObject({
        status: 409,
        code: 'inventory.insufficient-stock',
        type: 'urn:seam:problem:inventory.insufficient-stock',
        title: 'Insufficient stock',
      });
      expect(problem.detail).toMatch(/nothing was reserved/);
      expect(problem.errors).toEqual([
        {
          path: 'items.1.quantity',
          message: `Only 2 units are available of product ${scarce}; 3 requested`,
          code: 'insufficient_stock',
        },
      ]);
    });
  });

  it('lists every short item in request order, a product never stocked as 0 available', async () => {
    const [one, enough] = [await t.product(1), await t.product(5)];
    const neverStocked = randomUUID();
    await unchanged(async () => {
      const problem = await rejectedProblem(
        t.inventory.reserve({
          orderId: randomUUID(),
          items: [
            { productId: neverStocked, quantity: 1 },
            { productId: enough, quantity: 5 },
            { productId: one, quantity: 2 },
          ],
        }),
      );
      expect(problem.detail).toMatch(/2 of 3 item/);
      expect(problem.errors).toEqual([
        expect.objectContaining({
          path: 'items.0.quantity',
          message: `Only 0 units are available of product ${neverStocked}; 1 requested`,
        }),
        expect.objectContaining({
          path: 'items.2.quantity',
          message: `Only 1 unit is available of product ${one}; 2 requested`,
        }),
      ]);
    });
  });

  it('records nothing for a failed order, so the same order id can reserve after a restock', async () => {
    const productId = await t.product(1);
    const orderId = randomUUID();
    const items = [{ productId, quantity: 2 }];
    expect(await rejectedProblem(t.inventory.reserve({ orderId, items }))).toMatchObject({
      code: 'inventory.insufficient-stock',
    });
    expect(await rejectedProblem(t.inventory.commit({ orderId }))).toMatchObject({
      status: 404,
      code: 'inventory.reservation-not-found',
    });
    await t.call('PUT', `/stock/${productId}`, { available: 2 }, t.adminToken);
    expect(await t.inventory.reserve({ orderId, items })).toMatchObject({ status: 'reserved' });
    expect(await t.stockOf(productId)).toMatchObject({ available: 0, reserved: 2 });
  });

  it('rejects a product listed twice with 400, also when only its case differs', async () => {
    const productId = await t.product(10);
    await unchanged(async () => {
      const problem = await rejectedProblem(
        t.inventory.reserve({
          orderId: randomUUID(),
          items: [
            { productId, quantity: 1 },
            { productId: randomUUID(), quantity: 1 },
            { productId: productId.toUpperCase(), quantity: 2 },
          ],
        }),
      );
      expect(problem).toMatchObject({ status: 400, code: 'validation-failed' });
      expect(problem.errors).toEqual([
        expect.objectContaining({ path: 'items.2.productId', code: 'duplicate_product' }),
      ]);
    });
  });

  it.each([
    ['no items', { items: [] }, 'items'],
    ['a zero quantity', { items: [{ productId: randomUUID(), quantity: 0 }] }, 'items.0.quantity'],
    [
      'a fractional quantity',
      { items: [{ productId: randomUUID(), quantity: 1.5 }] },
      'items.0.quantity',
    ],
    [
      'more than 1000 units',
      { items: [{ productId: randomUUID(), quantity: 1001 }] },
      'items.0.quantity',
    ],
    [
      'a product id that is not a uuid',
      { items: [{ productId: 'p-1', quantity: 1 }] },
      'items.0.productId',
    ],
  ])('rejects %s with 400 and changes nothing', async (_what, input, path) => {
    await unchanged(async () => {
      const problem = await rejectedProblem(
        t.inventory.reserve({ orderId: randomUUID(), ...input } as never),
      );
      expect(problem).toMatchObject({ status: 400, code: 'validation-failed' });
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    });
  });

  it('rejects more than 100 items with 400', async () => {
    const items = Array.from({ length: 101 }, () => ({ productId: randomUUID(), quantity: 1 }));
    expect(
      await rejectedProblem(t.inventory.reserve({ orderId: randomUUID(), items })),
    ).toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ path: 'items' })],
    });
  });
});

describe('reserve is idempotent per order id', () => {
  it('returns the stored reservation on a repeat and holds the units once', async () => {
    const productId = await t.product(5);
    const orderId = randomUUID();
    const items = [{ productId, quantity: 2 }];
    const first = await t.inventory.reserve({ orderId, items });
    await unchanged(async () => {
      expect(await t.inventory.reserve({ orderId, items })).toEqual(first);
    });
    expect(await t.stockOf(productId)).toMatchObject({ available: 3, reserved: 2 });
  });

  it('treats the same items in another order and case as the same request', async () => {
    const [a, b] = [await t.product(5), await t.product(5)];
    const orderId = randomUUID();
    const first = await t.inventory.reserve({
      orderId,
      items: [
        { productId: a, quantity: 1 },
        { productId: b, quantity: 2 },
      ],
    });
    const repeat = await t.inventory.reserve({
      orderId,
      items: [
        { productId: b.toUpperCase(), quantity: 2 },
        { productId: a, quantity: 1 },
      ],
    });
    expect(repeat).toEqual(first);
  });

  it('returns a committed reservation unchanged, even once its stock ran out', async () => {
    const productId = await t.product(1);
    const orderId = randomUUID();
    const items = [{ productId, quantity: 1 }];
    await t.inventory.reserve({ orderId, items });
    const committed = await t.inventory.commit({ orderId });
    await unchanged(async () => {
      expect(await t.inventory.reserve({ orderId, items })).toEqual(committed);
    });
    expect(committed.status).toBe('committed');
  });

  it('answers 409 reservation-released for an order whose reservation was released', async () => {
    const productId = await t.product(3);
    const orderId = randomUUID();
    const items = [{ productId, quantity: 1 }];
    await t.inventory.reserve({ orderId, items });
    await t.inventory.release({ orderId });
    await unchanged(async () => {
      expect(await rejectedProblem(t.inventory.reserve({ orderId, items }))).toMatchObject({
        status: 409,
        code: 'inventory.reservation-released',
      });
    });
  });

  it('answers 409 reservation-mismatch when the order already holds other items', async () => {
    const [a, b] = [await t.product(5), await t.product(5)];
    const orderId = randomUUID();
    await t.inventory.reserve({ orderId, items: [{ productId: a, quantity: 1 }] });
    await unchanged(async () => {
      for (const items of [
        [{ productId: a, quantity: 2 }],
        [{ productId: b, quantity: 1 }],
        [
          { productId: a, quantity: 1 },
          { productId: b, quantity: 1 },
        ],
      ]) {
        expect(await rejectedProblem(t.inventory.reserve({ orderId, items }))).toMatchObject({
          status: 409,
          code: 'inventory.reservation-mismatch',
        });
      }
    });
  });

  it('holds the units once when ten calls for one order race each other', async () => {
    const productId = await t.product(10);
    const orderId = randomUUID();
    const items = [{ productId, quantity: 3 }];
    const results = await Promise.all(
      Array.from({ length: 10 }, () => settle(t.inventory.reserve({ orderId, items }))),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const values = results.map((r) => (r.ok ? r.value : undefined));
    expect(new Set(values.map((v) => JSON.stringify(v))).size).toBe(1);
    expect(await t.stockOf(productId)).toMatchObject({ available: 7, reserved: 3 });
  });
});
