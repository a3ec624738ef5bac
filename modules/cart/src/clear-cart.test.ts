// orders.OrderConfirmed empties the buyer's cart: delivered as the bus would,
// through the internal event endpoint, once per event (inbox).
import { randomUUID } from 'node:crypto';
import { OrderConfirmed } from '@seam/orders-contract';
import type { EventEnvelope } from '@seam/platform';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectProblem, startCart, type CartTestHost } from './test-support.js';

let t: CartTestHost;
beforeAll(async () => {
  // No catalog: emptying a cart never needs it.
  t = await startCart('none');
});
afterAll(() => t?.close());

function orderConfirmed(userId: string, occurredAt = new Date()): EventEnvelope {
  return {
    id: randomUUID(),
    type: OrderConfirmed.type,
    version: OrderConfirmed.version,
    source: 'orders',
    occurredAt: occurredAt.toISOString(),
    payload: {
      orderId: randomUUID(),
      userId,
      total: { amount: 24900, currency: 'EUR' },
      itemCount: 2,
    },
  };
}

const result = async (res: Response) => {
  const body = (await res.json()) as { result: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.result;
};

it("empties the buyer's cart and only the buyer's", async () => {
  const buyer = randomUUID();
  const other = randomUUID();
  const shared = randomUUID();
  await t.store(buyer, [
    { productId: shared, quantity: 1 },
    { productId: randomUUID(), quantity: 2 },
  ]);
  await t.store(other, [{ productId: shared, quantity: 5 }]);
  expect(await result(await t.deliver(orderConfirmed(buyer)))).toBe('processed');
  expect(await t.lines(buyer)).toEqual([]);
  expect(await t.lines(other)).toEqual([{ productId: shared, quantity: 5 }]);
});

it('handles a redelivered event once', async () => {
  const buyer = randomUUID();
  const envelope = orderConfirmed(buyer);
  expect(await result(await t.deliver(envelope))).toBe('processed');
  const late = randomUUID();
  await t.store(buyer, [{ productId: late, quantity: 1, at: new Date(Date.now() - 10_000) }]);
  expect(await result(await t.deliver(envelope))).toBe('duplicate');
  expect(await t.lines(buyer)).toEqual([{ productId: late, quantity: 1 }]);
});

it('keeps lines added or changed after the order was confirmed (a late delivery)', async () => {
  const buyer = randomUUID();
  const ordered = randomUUID();
  const addedLater = randomUUID();
  const confirmedAt = new Date(Date.now() - 30_000);
  await t.store(buyer, [
    { productId: ordered, quantity: 1, at: new Date(confirmedAt.getTime() - 5_000) },
    { productId: addedLater, quantity: 3, at: new Date(confirmedAt.getTime() + 5_000) },
  ]);
  expect(await result(await t.deliver(orderConfirmed(buyer, confirmedAt)))).toBe('processed');
  expect(await t.lines(buyer)).toEqual([{ productId: addedLater, quantity: 3 }]);
});

it('processes the event for a buyer without a cart', async () => {
  expect(await result(await t.deliver(orderConfirmed(randomUUID())))).toBe('processed');
});

it('rejects an envelope whose payload breaks the event schema, changing nothing', async () => {
  const buyer = randomUUID();
  await t.store(buyer, [{ productId: randomUUID(), quantity: 1 }]);
  const envelope = orderConfirmed(buyer);
  const res = await t.deliver({ ...envelope, payload: { userId: buyer } });
  await expectProblem(res, 400, 'invalid-event');
  expect(await t.lines(buyer)).toHaveLength(1);
});

it('refuses a delivery without the service credential', async () => {
  const res = await t.request('/internal/events/cart', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(orderConfirmed(randomUUID())),
  });
  await expectProblem(res, 401, 'invalid-service-token');
});
