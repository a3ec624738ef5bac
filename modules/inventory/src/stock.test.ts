// Stock levels: GET /stock/{productId} for everyone, PUT for admins, and the
// getStock operation. A product nobody stocked reads as 0 and 0, never 404.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectProblem,
  rejectedProblem,
  startInventory,
  type InventoryTestHost,
} from './test-support.js';

let t: InventoryTestHost;

beforeAll(async () => {
  t = await startInventory();
});
afterAll(() => t?.close());

/** unchanged runs `action` and asserts no inventory row changed. */
async function unchanged(action: () => Promise<unknown>): Promise<void> {
  const before = await t.snapshot();
  await action();
  expect(await t.snapshot()).toEqual(before);
}

describe('GET /stock/{productId}', () => {
  it('reports 0 available and 0 reserved for a product without stock, without a token', async () => {
    const productId = randomUUID();
    const res = await t.call('GET', `/stock/${productId}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ productId, available: 0, reserved: 0 });
  });

  it('reports what was set and what is reserved', async () => {
    const productId = await t.product(7);
    await t.inventory.reserve({ orderId: randomUUID(), items: [{ productId, quantity: 3 }] });
    const res = await t.call('GET', `/stock/${productId}`);
    expect(await res.json()).toEqual({ productId, available: 4, reserved: 3 });
  });

  it('accepts an uppercase id and answers with the canonical lowercase one', async () => {
    const productId = await t.product(2);
    const res = await t.call('GET', `/stock/${productId.toUpperCase()}`);
    expect(await res.json()).toEqual({ productId, available: 2, reserved: 0 });
  });

  it('answers 400 with a field error for an id that is not a uuid', async () => {
    const problem = await expectProblem(await t.call('GET', '/stock/42'), 400, 'validation-failed');
    expect(problem.errors?.map((e) => e.path)).toEqual(['productId']);
  });
});

describe('PUT /stock/{productId}', () => {
  it('creates the stock of a new product', async () => {
    const productId = randomUUID();
    const res = await t.call('PUT', `/stock/${productId}`, { available: 12 }, t.adminToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ productId, available: 12, reserved: 0 });
    expect(await t.stockOf(productId)).toEqual({ productId, available: 12, reserved: 0 });
  });

  it('replaces available and leaves reserved units alone', async () => {
    const productId = await t.product(10);
    await t.inventory.reserve({ orderId: randomUUID(), items: [{ productId, quantity: 4 }] });
    const res = await t.call('PUT', `/stock/${productId}`, { available: 0 }, t.adminToken);
    expect(await res.json()).toEqual({ productId, available: 0, reserved: 4 });
    const again = await t.call(
      'PUT',
      `/stock/${productId}`,
      { available: 1_000_000 },
      t.adminToken,
    );
    expect(await again.json()).toEqual({ productId, available: 1_000_000, reserved: 4 });
  });

  it('answers 401 without a token and 403 for a customer, whatever the body', async () => {
    const productId = await t.product(3);
    await unchanged(async () => {
      const none = await expectProblem(
        await t.call('PUT', `/stock/${productId}`, { available: 9 }),
        401,
        'unauthorized',
      );
      expect(none.status).toBe(401);
      await expectProblem(
        await t.call('PUT', `/stock/${productId}`, { available: 9 }, t.customerToken),
        403,
        'forbidden',
      );
      await expectProblem(
        await t.call('PUT', `/stock/${productId}`, { available: -1 }, t.customerToken),
        403,
        'forbidden',
      );
    });
  });

  it.each([
    ['a negative count', { available: -1 }],
    ['a fraction', { available: 1.5 }],
    ['a string', { available: '5' }],
    ['more than a million', { available: 1_000_001 }],
    ['a missing count', {}],
    ['an unknown field', { available: 5, reserved: 2 }],
  ])('answers 400 for %s and changes nothing', async (_what, body) => {
    const productId = await t.product(3);
    await unchanged(async () => {
      const problem = await expectProblem(
        await t.call('PUT', `/stock/${productId}`, body, t.adminToken),
        400,
        'validation-failed',
      );
      expect(problem.errors?.length).toBeGreaterThan(0);
    });
  });

  it('answers 400 for a non-uuid id, malformed JSON, and 415 for another content type', async () => {
    const productId = await t.product(3);
    await unchanged(async () => {
      await expectProblem(
        await t.call('PUT', '/stock/abc', { available: 1 }, t.adminToken),
        400,
        'validation-failed',
      );
      const send = (contentType: string, body: string) =>
        t.request(`/api/inventory/stock/${productId}`, {
          method: 'PUT',
          headers: { 'content-type': contentType, authorization: `Bearer ${t.adminToken}` },
          body,
        });
      await expectProblem(await send('application/json', '{"available": '), 400, 'malformed-json');
      await expectProblem(await send('text/plain', '{"available":1}'), 415);
    });
  });

  it('answers 405 for other methods on the path', async () => {
    const res = await t.call('DELETE', `/stock/${randomUUID()}`, undefined, t.adminToken);
    await expectProblem(res, 405, 'method-not-allowed');
  });
});

describe('getStock operation', () => {
  it('answers in request order, once per requested id, with 0 and 0 for unknown products', async () => {
    const [a, b] = [await t.product(1), await t.product(2)];
    const unknown = randomUUID();
    const { items } = await t.inventory.getStock({ productIds: [b, unknown, a, b.toUpperCase()] });
    expect(items).toEqual([
      { productId: b, available: 2, reserved: 0 },
      { productId: unknown, available: 0, reserved: 0 },
      { productId: a, available: 1, reserved: 0 },
      { productId: b, available: 2, reserved: 0 },
    ]);
  });

  it('rejects an empty list and more than 100 ids with 400', async () => {
    expect(await rejectedProblem(t.inventory.getStock({ productIds: [] }))).toMatchObject({
      status: 400,
      code: 'validation-failed',
    });
    const many = Array.from({ length: 101 }, () => randomUUID());
    expect(await rejectedProblem(t.inventory.getStock({ productIds: many }))).toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ path: 'productIds' })],
    });
  });
});
