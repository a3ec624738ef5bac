// Recovery of checkouts that died half-way: a simulated crash after each saga
// step leaves the state a killed process would, then a recovery pass settles it.
import { randomUUID } from 'node:crypto';
import { inventoryContract } from '@seam/inventory-contract';
import { paymentsContract, TEST_CARDS } from '@seam/payments-contract';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@seam/platform';
import { ordersConfig, type CrashPoint } from './config.js';
import { idempotencyKeys, orders } from './schema.js';
import {
  eventually,
  expectProblem,
  readOrder,
  startOrders,
  unavailable,
  useOrders,
  withCard,
  type OrdersTestHost,
} from './test-support.js';

const t = useOrders();

/** crashedCheckout runs a checkout that "dies" right after `point`. */
async function crashedCheckout(point: CrashPoint, card: string = TEST_CARDS.success) {
  const shopper = await t.newShopper();
  const product = t.world.addProduct({ amount: 2500, currency: 'EUR' }, 5);
  t.world.fillCart(shopper.id, [{ product, quantity: 2 }]);
  const key = randomUUID();
  t.crashAt(point);
  const problem = await expectProblem(
    await t.checkout(shopper, withCard(card), key),
    503,
    'orders.checkout-incomplete',
  );
  t.crashAt(undefined);
  const orderId = /Order ([0-9a-f-]{36})/.exec(problem.detail)![1]!;
  const [row] = await t.host.database.db.select().from(orders).where(eq(orders.id, orderId));
  expect(row?.status).toBe('pending');
  return { shopper, product, key, orderId, card };
}

async function statusOf(orderId: string) {
  const [row] = await t.host.database.db.select().from(orders).where(eq(orders.id, orderId));
  return { status: row!.status, failureReason: row!.failureReason };
}

describe('a recovery pass settles a checkout that died', () => {
  it('after placing the order: reserves, charges the card token and confirms it', async () => {
    const { orderId, product } = await crashedCheckout('order');
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
    const report = await t.recoverLater();
    expect(report.finished).toEqual([{ orderId, status: 'confirmed' }]);
    expect(await statusOf(orderId)).toEqual({ status: 'confirmed', failureReason: null });
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });
    expect(t.world.payments.get(orderId)).toMatchObject({ status: 'captured', cardLast4: '4242' });
    await t.waitForEvent('orders.OrderConfirmed', orderId);
  });

  it('after the reservation: charges the card token, commits the reserved stock and confirms it', async () => {
    const { orderId, product } = await crashedCheckout('reserve');
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 2 });
    expect(t.world.faults.count('payments.charge')).toBe(0);
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({ status: 'confirmed', failureReason: null });
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });
    expect(t.world.faults.count('inventory.reserve')).toBe(2);
    expect(t.world.faults.count('payments.charge')).toBe(1);
    expect(t.world.payments.get(orderId)?.status).toBe('captured');
    await t.waitForEvent('orders.OrderConfirmed', orderId);
  });

  it('after the reservation, with a declining card: charges it once, releases and fails with the decline reason', async () => {
    const { orderId, product } = await crashedCheckout('reserve', TEST_CARDS.declined);
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({ status: 'failed', failureReason: 'card_declined' });
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
    expect(t.world.faults.count('payments.charge')).toBe(1);
  });

  it('after placing the order, when the stock ran out meanwhile: fails it as out of stock, charging nothing', async () => {
    const { orderId, product } = await crashedCheckout('order');
    t.world.stock.set(product.id, { available: 1, reserved: 0 });
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({ status: 'failed', failureReason: 'out_of_stock' });
    expect(t.world.payments.has(orderId)).toBe(false);
  });

  it('after a captured charge: commits the stock and confirms it, charging once', async () => {
    const { orderId, product } = await crashedCheckout('charge');
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({ status: 'confirmed', failureReason: null });
    expect(t.world.reservations.get(orderId)?.status).toBe('committed');
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });
    expect(t.world.faults.count('payments.charge')).toBe(1);
    expect(t.world.payments.get(orderId)?.status).toBe('captured');
    await t.waitForEvent('orders.OrderConfirmed', orderId);
  });

  it('after a declined charge: releases the stock and fails it with the decline reason', async () => {
    const { orderId, product } = await crashedCheckout('charge', TEST_CARDS.insufficientFunds);
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({
      status: 'failed',
      failureReason: 'insufficient_funds',
    });
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
  });

  it('after the commit: confirms it without committing twice', async () => {
    const { orderId, product } = await crashedCheckout('commit');
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({ status: 'confirmed', failureReason: null });
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });
  });

  it('refunds and fails it when the reservation was released or expired meanwhile', async () => {
    const { orderId, product } = await crashedCheckout('charge');
    await t.host.clients.of(inventoryContract).release({ orderId });
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({
      status: 'failed',
      failureReason: 'reservation_expired',
    });
    expect(t.world.payments.get(orderId)?.status).toBe('refunded');
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
  });

  it('does not reserve again, and charges nothing, when an uncharged reservation expired meanwhile', async () => {
    const { orderId, product } = await crashedCheckout('reserve');
    await t.host.clients.of(inventoryContract).release({ orderId });
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({
      status: 'failed',
      failureReason: 'reservation_expired',
    });
    expect(t.world.payments.has(orderId)).toBe(false);
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
  });

  it('fails it as interrupted when its payment was already refunded', async () => {
    const { orderId, product } = await crashedCheckout('charge');
    await t.host.clients.of(paymentsContract).refund({ orderId });
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({ status: 'failed', failureReason: 'interrupted' });
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
  });

  it('answers a replay 409 while recovery is settling the order, then the final order', async () => {
    const { shopper, key, orderId, card } = await crashedCheckout('reserve');
    let during: Response | undefined;
    t.world.faults.before('payments.charge', async () => {
      during = await t.checkout(shopper, withCard(card), key);
    });
    await t.recoverLater();
    await expectProblem(during!, 409, 'orders.idempotency-key-in-flight');
    const replay = await t.checkout(shopper, withCard(card), key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await readOrder(replay)).toMatchObject({ id: orderId, status: 'confirmed' });
  });

  it('completes the idempotency record, so replaying the key returns the final order', async () => {
    const { shopper, key, orderId, card } = await crashedCheckout('charge');
    await expectProblem(
      await t.checkout(shopper, withCard(card), key),
      409,
      'orders.idempotency-key-in-flight',
    );
    await t.recoverLater();
    const replay = await t.checkout(shopper, withCard(card), key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const order = await readOrder(replay);
    expect(order).toMatchObject({ id: orderId, status: 'confirmed' });
    expect(await readOrder(await t.call('GET', `/${orderId}`, shopper.token), 200)).toEqual(order);
  });
});

describe('the checkout deadline', () => {
  const afterDeadline = () =>
    t.orders.recover(new Date(Date.now() + t.orders.deps.checkoutDeadlineMs + 1_000));

  it('fails an order never charged past the deadline as deadline_passed and returns its stock', async () => {
    const { orderId, product, shopper, key, card } = await crashedCheckout('reserve');
    const report = await afterDeadline();
    expect(report.finished).toEqual([{ orderId, status: 'failed' }]);
    expect(await statusOf(orderId)).toEqual({ status: 'failed', failureReason: 'deadline_passed' });
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
    expect(t.world.faults.count('payments.charge')).toBe(0);
    const event = await t.waitForEvent('orders.OrderFailed', orderId);
    expect(event.payload).toMatchObject({ orderId, reason: 'deadline_passed' });
    const replay = await readOrder(await t.checkout(shopper, withCard(card), key));
    expect(replay).toMatchObject({ id: orderId, failureReason: 'deadline_passed' });
  });

  it('still confirms an order already charged when the deadline passed', async () => {
    const { orderId, product } = await crashedCheckout('charge');
    await afterDeadline();
    expect(await statusOf(orderId)).toEqual({ status: 'confirmed', failureReason: null });
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });
  });
});

describe('what recovery leaves alone or retries', () => {
  it('does not touch a pending order younger than the saga timeout', async () => {
    const { orderId } = await crashedCheckout('reserve');
    const report = await t.orders.recover();
    expect(report.finished.map((f) => f.orderId)).not.toContain(orderId);
    expect((await statusOf(orderId)).status).toBe('pending');
    await t.recoverLater();
  });

  it('keeps an order pending while a dependency is down and settles it on a later pass', async () => {
    const { orderId, product } = await crashedCheckout('reserve');
    t.world.faults.fail('payments.getPayment', unavailable('payments'));
    const first = await t.recoverLater();
    expect(first.stillPending).toEqual([orderId]);
    expect((await statusOf(orderId)).status).toBe('pending');
    // The failed attempt renewed the lease: the next pass waits a timeout again.
    expect((await t.orders.recover()).stillPending).toEqual([]);
    const second = await t.recoverLater();
    expect(second.finished).toEqual([{ orderId, status: 'confirmed' }]);
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });
  });

  it('settles an order once when two passes race (SKIP LOCKED and the status guard)', async () => {
    const { orderId } = await crashedCheckout('charge');
    const reports = await Promise.all([t.recoverLater(), t.recoverLater(), t.recoverLater()]);
    const finished = reports.flatMap((r) => r.finished).filter((f) => f.orderId === orderId);
    expect(finished.length).toBeGreaterThanOrEqual(1);
    expect(new Set(finished.map((f) => f.status))).toEqual(new Set(['confirmed']));
    await t.waitForEvent('orders.OrderConfirmed', orderId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(t.world.eventsOf('orders.OrderConfirmed', orderId)).toHaveLength(1);
  });

  it('forgets an in-flight key that never got an order once no request can still hold it', async () => {
    const userId = randomUUID();
    const now = new Date();
    await t.host.database.db.insert(idempotencyKeys).values({
      userId,
      key: 'abandoned',
      requestHash: 'x',
      status: 'in_flight',
      createdAt: now,
      expiresAt: new Date(now.getTime() + 86_400_000),
    });
    expect((await t.orders.recover()).releasedKeys).toBe(0);
    expect((await t.recoverLater()).releasedKeys).toBe(1);
    const left = await t.host.database.db
      .select()
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.userId, userId));
    expect(left).toEqual([]);
  });

  it('wins against a request that stalled: the request notices and answers with the order recovery finished', async () => {
    const shopper = await t.newShopper();
    const product = t.world.addProduct({ amount: 100, currency: 'EUR' }, 2);
    t.world.fillCart(shopper.id, [{ product, quantity: 1 }]);
    // While inventory is "slow", recovery takes the order over and completes it.
    t.world.faults.before('inventory.reserve', async () => {
      await t.recoverLater();
    });
    const order = await readOrder(await t.checkout(shopper));
    expect(order).toMatchObject({ status: 'confirmed', failureReason: null });
    expect(t.world.faults.count('payments.charge')).toBe(1);
    expect(t.world.stockOf(product)).toEqual({ available: 1, reserved: 0 });
  });

  it('fails as interrupted an order placed before orders kept a card token', async () => {
    const { orderId, product } = await crashedCheckout('reserve');
    await t.host.database.db
      .update(orders)
      .set({ paymentToken: null })
      .where(eq(orders.id, orderId));
    await t.recoverLater();
    expect(await statusOf(orderId)).toEqual({ status: 'failed', failureReason: 'interrupted' });
    expect(t.world.stockOf(product)).toEqual({ available: 5, reserved: 0 });
    expect(t.world.faults.count('payments.charge')).toBe(0);
  });
});

describe('periodic recovery', () => {
  let fast: OrdersTestHost;
  beforeAll(async () => {
    fast = await startOrders({ env: { SEAM_SAGA_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(() => fast?.close());

  it('settles a stalled checkout by itself after SEAM_SAGA_TIMEOUT_SECONDS', async () => {
    const shopper = await fast.newShopper();
    const product = fast.world.addProduct({ amount: 100, currency: 'EUR' }, 3);
    fast.world.fillCart(shopper.id, [{ product, quantity: 3 }]);
    fast.crashAt('reserve');
    const problem = await expectProblem(
      await fast.checkout(shopper),
      503,
      'orders.checkout-incomplete',
    );
    // Recovery runs the same steps: the crash must not strike it again.
    fast.crashAt(undefined);
    const orderId = /Order ([0-9a-f-]{36})/.exec(problem.detail)![1]!;
    const order = await eventually(async () => {
      const current = await readOrder(await fast.call('GET', `/${orderId}`, shopper.token), 200);
      expect(current.status).toBe('confirmed');
      return current;
    }, 10_000);
    expect(order.failureReason).toBeNull();
    expect(fast.world.stockOf(product)).toEqual({ available: 0, reserved: 0 });
  });
});

describe('configuration', () => {
  it('defaults the saga timeout to 60 s and rejects one below 1 s', () => {
    expect(loadConfig({}, [ordersConfig]).SEAM_SAGA_TIMEOUT_SECONDS).toBe(60);
    expect(() => loadConfig({ SEAM_SAGA_TIMEOUT_SECONDS: '0' }, [ordersConfig])).toThrow(
      /SEAM_SAGA_TIMEOUT_SECONDS/,
    );
  });

  it('defaults the checkout deadline to 5 minutes and rejects one outside 1 s – 1 h', () => {
    expect(loadConfig({}, [ordersConfig]).SEAM_CHECKOUT_DEADLINE_SECONDS).toBe(300);
    for (const bad of ['0', '3601', 'soon']) {
      expect(() => loadConfig({ SEAM_CHECKOUT_DEADLINE_SECONDS: bad }, [ordersConfig])).toThrow(
        /SEAM_CHECKOUT_DEADLINE_SECONDS/,
      );
    }
  });
});
