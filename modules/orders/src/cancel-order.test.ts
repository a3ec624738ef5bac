// POST /api/orders/{id}/cancel: refund, stock back, OrderCancelled; idempotent
// for a cancelled order, 409 for pending or failed ones.
import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@seam/payments-contract';
import { describe, expect, it } from 'vitest';
import {
  expectProblem,
  readOrder,
  unavailable,
  useOrders,
  withCard,
  type Shopper,
} from './test-support.js';

const t = useOrders();

async function confirmedOrder(shopper?: Shopper) {
  const owner = shopper ?? (await t.newShopper());
  const product = t.world.addProduct({ amount: 4200, currency: 'EUR' }, 5);
  t.world.fillCart(owner.id, [{ product, quantity: 2 }]);
  const order = await readOrder(await t.checkout(owner));
  expect(order.status).toBe('confirmed');
  return { owner, product, order };
}

describe('cancelling a confirmed order', () => {
  it('refunds the payment, returns the stock and publishes OrderCancelled', async () => {
    const { owner, product, order } = await confirmedOrder();
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });

    const cancelled = await readOrder(
      await t.call('POST', `/${order.id}/cancel`, owner.token),
      200,
    );

    expect(cancelled).toMatchObject({ id: order.id, status: 'cancelled', failureReason: null });
    expect(t.world.payments.get(order.id)?.status).toBe('refunded');
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
    const event = await t.waitForEvent('orders.OrderCancelled', order.id);
    expect(event.payload).toEqual({ orderId: order.id, userId: owner.id, total: order.total });
  });

  it('returns a cancelled order unchanged when cancelled again, without a second event', async () => {
    const { owner, order } = await confirmedOrder();
    const first = await readOrder(await t.call('POST', `/${order.id}/cancel`, owner.token), 200);
    const again = await readOrder(await t.call('POST', `/${order.id}/cancel`, owner.token), 200);
    expect(again).toEqual(first);
    await t.waitForEvent('orders.OrderCancelled', order.id);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(t.world.eventsOf('orders.OrderCancelled', order.id)).toHaveLength(1);
  });

  it('lets an admin cancel any order', async () => {
    const { order } = await confirmedOrder();
    const admin = await t.newShopper('admin');
    expect(
      (await readOrder(await t.call('POST', `/${order.id}/cancel`, admin.token), 200)).status,
    ).toBe('cancelled');
  });

  it('answers 503 and stays confirmed when payments is down; a retry completes it', async () => {
    const { owner, product, order } = await confirmedOrder();
    t.world.faults.fail('payments.refund', unavailable('payments'));
    await expectProblem(
      await t.call('POST', `/${order.id}/cancel`, owner.token),
      503,
      'module-unreachable',
    );
    expect((await readOrder(await t.call('GET', `/${order.id}`, owner.token), 200)).status).toBe(
      'confirmed',
    );
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });

    expect(
      (await readOrder(await t.call('POST', `/${order.id}/cancel`, owner.token), 200)).status,
    ).toBe('cancelled');
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
  });
});

describe('orders that cannot be cancelled', () => {
  it('answers 409 orders.not-cancellable for a failed order', async () => {
    const owner = await t.newShopper();
    t.world.fillCart(owner.id, [
      { product: t.world.addProduct({ amount: 1, currency: 'EUR' }), quantity: 1 },
    ]);
    const failed = await readOrder(await t.checkout(owner, withCard(TEST_CARDS.declined)));
    await expectProblem(
      await t.call('POST', `/${failed.id}/cancel`, owner.token),
      409,
      'orders.not-cancellable',
    );
    expect(t.world.faults.count('payments.refund')).toBe(0);
  });

  it('answers 409 orders.not-cancellable for a pending order', async () => {
    const owner = await t.newShopper();
    t.world.fillCart(owner.id, [
      { product: t.world.addProduct({ amount: 1, currency: 'EUR' }), quantity: 1 },
    ]);
    t.crashAt('reserve');
    const problem = await expectProblem(await t.checkout(owner), 503, 'orders.checkout-incomplete');
    const orderId = /Order ([0-9a-f-]{36})/.exec(problem.detail)![1]!;
    await expectProblem(
      await t.call('POST', `/${orderId}/cancel`, owner.token),
      409,
      'orders.not-cancellable',
    );
    await t.recoverLater();
  });

  it("answers 404 for another shopper's order and for a missing one", async () => {
    const { order } = await confirmedOrder();
    const bob = await t.newShopper();
    await expectProblem(
      await t.call('POST', `/${order.id}/cancel`, bob.token),
      404,
      'orders.order-not-found',
    );
    await expectProblem(
      await t.call('POST', `/${randomUUID()}/cancel`, bob.token),
      404,
      'orders.order-not-found',
    );
    expect(t.world.payments.get(order.id)?.status).toBe('captured');
  });
});
