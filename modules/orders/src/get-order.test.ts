// GET /api/orders/{id} and the getOrder operation: owners see their orders,
// admins see any, everyone else gets the same 404 as for a missing order.
import { randomUUID } from 'node:crypto';
import { ordersContract } from '@seam/orders-contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, readOrder, useOrders, type Shopper } from './test-support.js';
import type { Order } from '@seam/orders-contract';

const t = useOrders();
let ada: Shopper;
let order: Order;

beforeAll(async () => {
  ada = await t.newShopper();
  t.world.fillCart(ada.id, [
    { product: t.world.addProduct({ amount: 100, currency: 'EUR' }), quantity: 1 },
  ]);
  order = await readOrder(await t.checkout(ada));
});

describe('GET /{id}', () => {
  it('returns my order', async () => {
    expect(await readOrder(await t.call('GET', `/${order.id}`, ada.token), 200)).toEqual(order);
  });

  it("answers 404 for another shopper's order, as for a missing one", async () => {
    const bob = await t.newShopper();
    const other = await expectProblem(
      await t.call('GET', `/${order.id}`, bob.token),
      404,
      'orders.order-not-found',
    );
    const missing = await expectProblem(
      await t.call('GET', `/${randomUUID()}`, bob.token),
      404,
      'orders.order-not-found',
    );
    expect(other.title).toBe(missing.title);
  });

  it('lets an admin read any order', async () => {
    const admin = await t.newShopper('admin');
    expect(await readOrder(await t.call('GET', `/${order.id}`, admin.token), 200)).toEqual(order);
  });

  it('answers 400 for an id that is not a UUID and 401 without a token', async () => {
    await expectProblem(await t.call('GET', '/nope', ada.token), 400, 'validation-failed');
    await expectProblem(await t.call('GET', `/${order.id}`), 401, 'unauthorized');
  });
});

describe('the getOrder operation', () => {
  it('returns any order by id and 404 for an unknown one', async () => {
    const client = t.host.clients.of(ordersContract);
    expect(await client.getOrder({ id: order.id })).toEqual(order);
    await expect(client.getOrder({ id: randomUUID() })).rejects.toMatchObject({
      status: 404,
      code: 'orders.order-not-found',
    });
  });
});
