// Order events → a message to the buyer, whose address comes from the users
// module. Alone, users is unreachable: the delivery fails cleanly and is not
// marked as handled. With the users and orders fakes, the bus retries until
// users answers, and records each message once.
import { randomUUID } from 'node:crypto';
import { OrderCancelled, OrderConfirmed, OrderFailed } from '@seam/orders-contract';
import { testUser } from '@seam/users-contract/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  deliveryResult,
  eventually,
  expectProblem,
  FAST_EVENTS,
  orderPayloads,
  orders,
  readItems,
  startNotifications,
  users,
  type NotificationsTestHost,
} from './test-support.js';

describe('without the users module', () => {
  let t: NotificationsTestHost;
  beforeAll(async () => {
    t = await startNotifications('alone');
  });
  afterAll(() => t?.close());

  it.each(Object.keys(orderPayloads) as (keyof typeof orderPayloads)[])(
    'fails the %s delivery with 503 module-unreachable and records nothing',
    async (kind) => {
      const userId = randomUUID();
      const event = orderPayloads[kind](userId);
      await expectProblem(await t.deliver(event), 503, 'module-unreachable');
      expect(await t.recorded(userId)).toEqual([]);
      // Not in the inbox: a redelivery is attempted again, not skipped as a duplicate.
      await expectProblem(await t.deliver(event), 503, 'module-unreachable');
    },
  );
});

describe('with users and orders (fakes)', () => {
  let t: NotificationsTestHost;
  beforeAll(async () => {
    t = await startNotifications('with-fakes', {
      ...FAST_EVENTS,
      SEAM_EVENT_MAX_ATTEMPTS: '100',
    });
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    users.unavailable = false;
  });

  it('records an order-confirmed message naming the order and its total', async () => {
    const buyer = users.add(testUser({ name: 'Ada' }));
    const orderId = randomUUID();
    await orders.publish(OrderConfirmed, {
      orderId,
      userId: buyer.id,
      total: { amount: 24900, currency: 'EUR' },
      itemCount: 2,
    });
    const items = await eventually(async () => {
      const found = await readItems(await t.list(await t.tokenFor(buyer.id)));
      if (found.length === 0) throw new Error('not delivered yet');
      return found;
    });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: 'order-confirmed',
      recipient: buyer.email,
      orderId,
      subject: `Your order ${orderId} is confirmed`,
    });
    expect(items[0]?.body).toContain('249.00 EUR');
    expect(items[0]?.body).toContain('Hi Ada,');
  });

  it('records failed and cancelled orders with the reason and the refund', async () => {
    const buyer = users.add();
    const failed = randomUUID();
    const cancelled = randomUUID();
    await orders.publish(OrderFailed, {
      orderId: failed,
      userId: buyer.id,
      reason: 'insufficient_funds',
    });
    await orders.publish(OrderCancelled, {
      orderId: cancelled,
      userId: buyer.id,
      total: { amount: 1999, currency: 'USD' },
    });
    const rows = await eventually(async () => {
      const found = await t.recorded(buyer.id);
      if (found.length < 2) throw new Error('not delivered yet');
      return found;
    });
    const byKind = Object.fromEntries(rows.map((row) => [row.kind, row]));
    expect(byKind['order-failed']).toMatchObject({ orderId: failed, recipient: buyer.email });
    expect(byKind['order-failed']?.body).toContain('insufficient funds');
    expect(byKind['order-cancelled']).toMatchObject({ orderId: cancelled });
    expect(byKind['order-cancelled']?.body).toContain('19.99 USD');
  });

  it('retries while users is down and records the message once it answers', async () => {
    const buyer = users.add();
    users.unavailable = true;
    const lookupsBefore = users.calls.getUser;
    await orders.publish(OrderFailed, {
      orderId: randomUUID(),
      userId: buyer.id,
      reason: 'out_of_stock',
    });
    await eventually(async () => {
      if (users.calls.getUser - lookupsBefore < 3) throw new Error('not retried yet');
    });
    expect(await t.recorded(buyer.id)).toEqual([]);
    users.unavailable = false;
    const rows = await eventually(async () => {
      const found = await t.recorded(buyer.id);
      if (found.length === 0) throw new Error('not delivered yet');
      return found;
    });
    expect(rows).toHaveLength(1);
    // Nothing else arrives later: the delivery is done.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await t.recorded(buyer.id)).toHaveLength(1);
  });

  it('records one message when the same event is delivered twice, asking users once', async () => {
    const buyer = users.add();
    const event = orderPayloads.cancelled(buyer.id);
    const lookupsBefore = users.calls.getUser;
    expect(await deliveryResult(await t.deliver(event))).toBe('processed');
    expect(await deliveryResult(await t.deliver(event))).toBe('duplicate');
    expect(await t.recorded(buyer.id)).toHaveLength(1);
    expect(users.calls.getUser - lookupsBefore).toBe(1);
  });

  it('answers the users module 404 for an unknown buyer and records nothing', async () => {
    const userId = randomUUID();
    await expectProblem(
      await t.deliver(orderPayloads.confirmed(userId)),
      404,
      'users.user-not-found',
    );
    expect(await t.recorded(userId)).toEqual([]);
  });
});
