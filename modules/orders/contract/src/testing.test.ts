// The orders fake keeps the contract's promises: getOrder answers what the test
// added in the shape of its output schema, and fails as the real module would.
// (Publishing through its outbox is exercised by the notifications tests.)
import { randomUUID } from 'node:crypto';
import { rejection } from '@seam/platform/testing';
import { describe, expect, it } from 'vitest';
import { OrderFailed, ordersContract } from './index.js';
import { fakeOrders, testOrder } from './testing.js';

describe('fakeOrders', () => {
  it('answers getOrder with the order the test added, as the contract shapes it', async () => {
    const orders = fakeOrders();
    const order = orders.add(testOrder({ status: 'failed', failureReason: 'out_of_stock' }));
    const answer = await orders.client.getOrder({ id: order.id });
    expect(ordersContract.operations.getOrder.output.parse(answer)).toEqual(order);
    expect(orders.calls.getOrder).toBe(1);
  });

  it('fails getOrder with 404 orders.order-not-found for an unknown id', async () => {
    const error = await rejection(fakeOrders().client.getOrder({ id: randomUUID() }));
    expect(error).toMatchObject({ status: 404, code: 'orders.order-not-found' });
  });

  it('fails every call with 503 module-unreachable while unavailable, after the before hook', async () => {
    const orders = fakeOrders();
    const order = orders.add();
    const seen: unknown[] = [];
    orders.before = async (operation, input) => {
      seen.push([operation, input]);
    };
    orders.unavailable = true;
    const error = await rejection(orders.client.getOrder({ id: order.id }));
    expect(error).toMatchObject({ status: 503, code: 'module-unreachable' });
    expect(seen).toEqual([['getOrder', { id: order.id }]]);
    expect(orders.calls.getOrder).toBe(1);
  });

  it('cannot publish before a host runs it', async () => {
    await expect(
      fakeOrders().publish(OrderFailed, {
        orderId: randomUUID(),
        userId: randomUUID(),
        reason: 'card_declined',
      }),
    ).rejects.toThrow(/not hosted/);
  });
});
