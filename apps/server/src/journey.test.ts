// The shop end to end, in one process with every module: two shoppers register,
// browse the demo catalog, fill carts and check out — confirmed, replayed,
// declined, cancelled — while carts, stock, payments and notifications follow
// through the modules' operations and events. Each module's own tests cover its
// edge cases; this file proves they work together.
import { randomUUID } from 'node:crypto';
import type { Product } from '@seam/catalog-contract';
import type { Order } from '@seam/orders-contract';
import { TEST_CARDS } from '@seam/payments-contract';
import { eventually, startTestHost, type TestHost } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwks, modules } from './modules.js';
import {
  json,
  paying,
  problem,
  shop,
  SUCCESS,
  type Shop,
  type Shopper,
} from './test-support/shop.js';

let t: TestHost;
let api: Shop;
let ada: Shopper;
let bob: Shopper;
let products: Product[];

beforeAll(async () => {
  t = await startTestHost({
    modules,
    jwks,
    env: { SEAM_DEMO_DATA: 'true', SEAM_EVENT_POLL_MS: '20', SEAM_EVENT_RETRY_BASE_MS: '50' },
  });
  api = shop((path, init) => t.request(path, init));
  [ada, bob] = await Promise.all([api.signUp('Ada'), api.signUp('Bob')]);
  // A cart holds one currency; the demo catalog has several. Shop in euros.
  products = await api.products(5);
  await api.waitForStock(products);
});
afterAll(() => t?.close());

describe('a shopping journey across every module', () => {
  let adaOrder: Order;
  let adaOrderText: string;
  const adaKey = randomUUID();

  it('starts from a demo catalog with stock', async () => {
    expect(products.length).toBe(5);
    for (const product of products) expect((await api.stockOf(product.id)).reserved).toBe(0);
  });

  it('checks out a filled cart: 201 confirmed, total = sum of lines, stock down', async () => {
    const [grinder, kettle] = products as [Product, Product];
    const before = await Promise.all([api.stockOf(grinder.id), api.stockOf(kettle.id)]);
    await api.addToCart(ada, grinder, 2);
    const cart = await api.addToCart(ada, kettle, 1);
    expect(cart.items).toHaveLength(2);

    const res = await api.checkout(ada, SUCCESS, adaKey);
    adaOrderText = await res.clone().text();
    adaOrder = await json<Order>(res, 201);

    expect(adaOrder).toMatchObject({ userId: ada.id, status: 'confirmed', failureReason: null });
    expect(adaOrder.items.map((i) => [i.productId, i.quantity])).toEqual([
      [grinder.id, 2],
      [kettle.id, 1],
    ]);
    for (const item of adaOrder.items) {
      const product = products.find((p) => p.id === item.productId)!;
      expect(item.unitPrice).toEqual(product.price);
      expect(item.lineTotal.amount).toBe(product.price.amount * item.quantity);
    }
    expect(adaOrder.total).toEqual({
      amount: adaOrder.items.reduce((sum, item) => sum + item.lineTotal.amount, 0),
      currency: grinder.price.currency,
    });
    expect(adaOrder.total).toEqual(cart.total);
    expect(await api.stockOf(grinder.id)).toMatchObject({
      available: before[0]!.available - 2,
      reserved: 0,
    });
    expect(await api.stockOf(kettle.id)).toMatchObject({
      available: before[1]!.available - 1,
      reserved: 0,
    });

    const payments = await api.paymentsOf(ada, adaOrder.id);
    expect(payments).toEqual([
      expect.objectContaining({ status: 'captured', amount: adaOrder.total, cardLast4: '4242' }),
    ]);
  });

  it('replays the same key and body with the identical status and body', async () => {
    const replay = await api.checkout(ada, SUCCESS, adaKey);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(adaOrderText);
  });

  it('rejects the same key with a different body (422)', async () => {
    await problem(
      await api.checkout(ada, paying(TEST_CARDS.declined), adaKey),
      422,
      'orders.idempotency-key-reused',
    );
  });

  it('empties the cart once the order is confirmed (eventually)', async () => {
    await eventually(async () => expect((await api.cartOf(ada)).items).toEqual([]));
  });

  it("hides Ada's order and payment from Bob (404)", async () => {
    await problem(
      await api.send('GET', `/api/orders/${adaOrder.id}`, { token: bob.token }),
      404,
      'orders.order-not-found',
    );
    const hidden = await api.payments(bob, adaOrder.id);
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get('content-type')).toBe('application/problem+json');
    await problem(
      await api.send('POST', `/api/orders/${adaOrder.id}/cancel`, { token: bob.token }),
      404,
      'orders.order-not-found',
    );
    expect(await api.orders(bob)).toEqual([]);
  });

  it('runs a concurrent duplicate once: one 201, the other 409 in flight or the same 201', async () => {
    const product = products[2]!;
    const before = await api.stockOf(product.id);
    await api.addToCart(bob, product, 1);
    const key = randomUUID();
    const answers = await Promise.all([
      api.checkout(bob, SUCCESS, key),
      api.checkout(bob, SUCCESS, key),
    ]);
    const created = answers.filter((res) => res.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    const texts = await Promise.all(created.map((res) => res.text()));
    expect(new Set(texts).size).toBe(1);
    for (const res of answers.filter((r) => r.status !== 201)) {
      await problem(res, 409, 'orders.idempotency-key-in-flight');
    }
    const order = JSON.parse(texts[0]!) as Order;
    expect(order.status).toBe('confirmed');
    expect((await api.stockOf(product.id)).available).toBe(before.available - 1);
    const payments = await api.paymentsOf(bob, order.id);
    expect(payments).toHaveLength(1);
  });

  it('fails a declined card: stock exactly as before, cart kept', async () => {
    const product = products[3]!;
    await api.addToCart(ada, product, 3);
    const before = await api.stockOf(product.id);

    const order = await json<Order>(await api.checkout(ada, paying(TEST_CARDS.declined)), 201);

    expect(order).toMatchObject({ status: 'failed', failureReason: 'card_declined' });
    expect(await api.stockOf(product.id)).toEqual(before);
    const payments = await api.paymentsOf(ada, order.id);
    expect(payments).toEqual([expect.objectContaining({ status: 'declined' })]);
    // The failure notification proves the event went out; the cart still holds the items.
    await eventually(async () =>
      expect((await api.notificationsOf(ada)).map((n) => n.orderId)).toContain(order.id),
    );
    expect((await api.cartOf(ada)).items).toEqual([
      expect.objectContaining({ productId: product.id, quantity: 3 }),
    ]);
  });

  it('fails a card with insufficient funds the same way', async () => {
    const product = products[3]!;
    const before = await api.stockOf(product.id);
    const order = await json<Order>(
      await api.checkout(ada, paying(TEST_CARDS.insufficientFunds)),
      201,
    );
    expect(order).toMatchObject({ status: 'failed', failureReason: 'insufficient_funds' });
    expect(await api.stockOf(product.id)).toEqual(before);
  });

  it('sends each shopper their own notifications: welcome, confirmed, failed (eventually)', async () => {
    const adaKinds = await eventually(async () => {
      const kinds = (await api.notificationsOf(ada)).map((n) => n.kind).sort();
      expect(kinds).toEqual(['order-confirmed', 'order-failed', 'order-failed', 'welcome']);
      return kinds;
    });
    expect(adaKinds).toHaveLength(4);
    const adaNotes = await api.notificationsOf(ada);
    expect(adaNotes.every((n) => n.userId === ada.id && n.recipient === ada.email)).toBe(true);
    expect(adaNotes.find((n) => n.kind === 'order-confirmed')?.orderId).toBe(adaOrder.id);

    await eventually(async () => {
      const bobNotes = await api.notificationsOf(bob);
      expect(bobNotes.map((n) => n.kind).sort()).toEqual(['order-confirmed', 'welcome']);
      expect(bobNotes.every((n) => n.userId === bob.id && n.recipient === bob.email)).toBe(true);
      expect(bobNotes.map((n) => n.orderId)).not.toContain(adaOrder.id);
    });
  });

  it('cancels a confirmed order: payment refunded, stock back, OrderCancelled notification', async () => {
    const before = await Promise.all(adaOrder.items.map((item) => api.stockOf(item.productId)));
    const cancelled = await json<Order>(
      await api.send('POST', `/api/orders/${adaOrder.id}/cancel`, { token: ada.token }),
      200,
    );
    expect(cancelled).toMatchObject({ id: adaOrder.id, status: 'cancelled' });
    const payments = await api.paymentsOf(ada, adaOrder.id);
    expect(payments).toEqual([
      expect.objectContaining({ status: 'refunded', refundedAt: expect.any(String) }),
    ]);
    for (const [index, item] of adaOrder.items.entries()) {
      expect((await api.stockOf(item.productId)).available).toBe(
        before[index]!.available + item.quantity,
      );
    }
    await eventually(async () => {
      const cancelledNote = (await api.notificationsOf(ada)).find(
        (n) => n.kind === 'order-cancelled',
      );
      expect(cancelledNote?.orderId).toBe(adaOrder.id);
    });
    // Cancelling again changes nothing.
    expect(
      await json<Order>(
        await api.send('POST', `/api/orders/${adaOrder.id}/cancel`, { token: ada.token }),
        200,
      ),
    ).toEqual(cancelled);
  });

  it("lists Ada's orders newest first", async () => {
    const mine = await api.orders(ada);
    expect(mine.map((o) => o.status)).toEqual(['failed', 'failed', 'cancelled']);
    expect(mine.at(-1)?.id).toBe(adaOrder.id);
  });
});

describe('bad checkout requests (all problem+json, nothing changes)', () => {
  it('answers 400 without an Idempotency-Key', async () => {
    const res = await api.send('POST', '/api/orders', { body: SUCCESS, token: ada.token });
    const body = await problem(res, 400, 'validation-failed');
    expect(body.errors?.map((e) => e.path)).toEqual(['idempotency-key']);
  });

  it('answers 400 for malformed JSON', async () => {
    await problem(
      await api.send('POST', '/api/orders', {
        body: '{"paymentMethod": {',
        token: ada.token,
        headers: { 'idempotency-key': randomUUID() },
      }),
      400,
      'malformed-json',
    );
  });

  it('answers 415 for another content type', async () => {
    await problem(
      await api.send('POST', '/api/orders', {
        body: JSON.stringify(SUCCESS),
        token: ada.token,
        headers: { 'idempotency-key': randomUUID(), 'content-type': 'text/plain' },
      }),
      415,
      'unsupported-media-type',
    );
  });

  it('answers 422 for an empty cart', async () => {
    const carol = await api.signUp('Carol');
    await problem(await api.checkout(carol), 422, 'orders.empty-cart');
    expect(await api.orders(carol)).toEqual([]);
  });

  it('answers 401 without a token', async () => {
    await problem(
      await api.send('POST', '/api/orders', { body: SUCCESS, headers: { 'idempotency-key': 'x' } }),
      401,
      'unauthorized',
    );
  });
});
