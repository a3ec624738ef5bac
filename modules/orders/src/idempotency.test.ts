// The Idempotency-Key rules of checkout: replays, reuse with another body,
// concurrent duplicates, expiry, and what is stored for which answer.
import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@seam/payments-contract';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { canonicalJson, claimKey, IDEMPOTENCY_TTL_MS, requestHash } from './idempotency.js';
import { withMaskedCard } from './checkout.js';
import { idempotencyKeys } from './schema.js';
import {
  CHECKOUT,
  expectProblem,
  readJson,
  readOrder,
  useOrders,
  withCard,
  type Shopper,
} from './test-support.js';

const t = useOrders();

async function shopperWithCart(available = 10): Promise<Shopper> {
  const shopper = await t.newShopper();
  const product = t.world.addProduct({ amount: 1500, currency: 'EUR' }, available);
  t.world.fillCart(shopper.id, [{ product, quantity: 1 }]);
  return shopper;
}

const keyRow = async (userId: string, key: string) =>
  (
    await t.host.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key))
  ).find((row) => row.userId === userId);

describe('canonical request hash', () => {
  it('ignores key order at every level but not values', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    );
    expect(requestHash({ a: 1, b: 2 })).toBe(requestHash({ b: 2, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
    expect(requestHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('replaying a key', () => {
  it('returns the stored status and body byte for byte, marked as a replay, without running the saga again', async () => {
    const shopper = await shopperWithCart();
    const key = randomUUID();
    const first = await t.checkout(shopper, CHECKOUT, key);
    const firstText = await first.text();
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    // Key order of the body does not matter.
    const reordered = {
      shippingAddress: CHECKOUT.shippingAddress,
      paymentMethod: CHECKOUT.paymentMethod,
    };
    const replay = await t.checkout(shopper, reordered, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(firstText);
    expect(t.world.faults.count('payments.charge')).toBe(1);
    expect(t.world.faults.count('cart.getCart')).toBe(1);
  });

  it('replays a failed order as it was, even after the card problem is fixed', async () => {
    const shopper = await shopperWithCart();
    const key = randomUUID();
    const failed = await readOrder(await t.checkout(shopper, withCard(TEST_CARDS.declined), key));
    expect(failed.status).toBe('failed');
    expect(await readOrder(await t.checkout(shopper, withCard(TEST_CARDS.declined), key))).toEqual(
      failed,
    );
  });

  it('stores and replays a business refusal (empty cart) with its original request id', async () => {
    const shopper = await t.newShopper();
    const key = randomUUID();
    const first = await expectProblem(
      await t.checkout(shopper, CHECKOUT, key),
      422,
      'orders.empty-cart',
    );
    t.world.fillCart(shopper.id, [
      { product: t.world.addProduct({ amount: 1, currency: 'EUR' }), quantity: 1 },
    ]);
    const replay = await t.checkout(shopper, CHECKOUT, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await expectProblem(replay, 422, 'orders.empty-cart')).toEqual(first);
    expect((await keyRow(shopper.id, key))?.status).toBe('completed');
  });

  it('scopes keys to the user: the same key from another shopper is a new checkout', async () => {
    const a = await shopperWithCart();
    const b = await shopperWithCart();
    const key = randomUUID();
    const orderA = await readOrder(await t.checkout(a, CHECKOUT, key));
    const orderB = await readOrder(await t.checkout(b, CHECKOUT, key));
    expect(orderB.id).not.toBe(orderA.id);
    expect(orderB.userId).toBe(b.id);
  });
});

describe('reusing a key with another body', () => {
  it('answers 422 orders.idempotency-key-reused and changes nothing', async () => {
    const shopper = await shopperWithCart();
    const key = randomUUID();
    const order = await readOrder(await t.checkout(shopper, CHECKOUT, key));
    const other = { ...CHECKOUT, shippingAddress: { ...CHECKOUT.shippingAddress, city: 'Paris' } };
    await expectProblem(
      await t.checkout(shopper, other, key),
      422,
      'orders.idempotency-key-reused',
    );
    await expectProblem(
      await t.checkout(shopper, withCard(TEST_CARDS.declined), key),
      422,
      'orders.idempotency-key-reused',
    );
    expect(await readOrder(await t.checkout(shopper, CHECKOUT, key))).toEqual(order);
    expect(t.world.faults.count('payments.charge')).toBe(1);
  });
});

describe('concurrent duplicates', () => {
  it('runs the saga once: the other request is 409 in flight or the replayed 201', async () => {
    const shopper = await shopperWithCart();
    const key = randomUUID();
    const answers = await Promise.all([
      t.checkout(shopper, CHECKOUT, key),
      t.checkout(shopper, CHECKOUT, key),
      t.checkout(shopper, CHECKOUT, key),
    ]);
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    for (const res of answers.filter((r) => r.status === 409)) {
      await expectProblem(res, 409, 'orders.idempotency-key-in-flight');
    }
    const bodies = await Promise.all(answers.filter((r) => r.status === 201).map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(t.world.faults.count('payments.charge')).toBe(1);
    expect(t.world.faults.count('inventory.reserve')).toBe(1);
  });

  it('answers 409 orders.idempotency-key-in-flight while the first request runs', async () => {
    const shopper = await shopperWithCart();
    const key = randomUUID();
    let second: Response | undefined;
    t.world.faults.before('payments.charge', async () => {
      second = await t.checkout(shopper, CHECKOUT, key);
    });
    expect((await readOrder(await t.checkout(shopper, CHECKOUT, key))).status).toBe('confirmed');
    await expectProblem(second!, 409, 'orders.idempotency-key-in-flight');
  });
});

describe('the stored record', () => {
  it('keeps the hash, the order id and the response for at least 24 hours, never the card number', async () => {
    const shopper = await shopperWithCart();
    const key = randomUUID();
    const order = await readOrder(await t.checkout(shopper, CHECKOUT, key));
    const row = await keyRow(shopper.id, key);
    expect(row).toMatchObject({
      status: 'completed',
      responseStatus: 201,
      responseBody: order,
      orderId: order.id,
      requestHash: requestHash(withMaskedCard(CHECKOUT)),
    });
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBeGreaterThanOrEqual(
      IDEMPOTENCY_TTL_MS,
    );
    expect(JSON.stringify(row)).not.toMatch(/4242[ -]?4242|424242/);
  });

  it('lets an expired key be reused for a new checkout', async () => {
    const shopper = await shopperWithCart();
    const key = randomUUID();
    const first = await readOrder(await t.checkout(shopper, CHECKOUT, key));
    await t.host.database.db
      .update(idempotencyKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(idempotencyKeys.key, key));
    t.world.fillCart(shopper.id, [
      { product: t.world.addProduct({ amount: 1, currency: 'EUR' }), quantity: 1 },
    ]);
    const other = { ...CHECKOUT, shippingAddress: { ...CHECKOUT.shippingAddress, city: 'Paris' } };
    const second = await readOrder(await t.checkout(shopper, other, key));
    expect(second.id).not.toBe(first.id);
    expect((await keyRow(shopper.id, key))?.orderId).toBe(second.id);
  });

  it('never places an order for a request whose key recovery forgot as abandoned', async () => {
    const shopper = await shopperWithCart();
    const key = randomUUID();
    // The request is "stuck" in the catalog long enough for recovery to drop its key.
    t.world.faults.before('catalog.getProducts', async () => {
      expect((await t.recoverLater()).releasedKeys).toBe(1);
    });
    await expectProblem(await t.checkout(shopper, CHECKOUT, key), 503, 'orders.checkout-abandoned');
    expect(t.world.faults.count('inventory.reserve')).toBe(0);
    expect(await readJson(await t.call('GET', '', shopper.token))).toMatchObject({ items: [] });
    expect((await readOrder(await t.checkout(shopper, CHECKOUT, key))).status).toBe('confirmed');
  });

  it('claims a key once: a second claim of a running request is refused', async () => {
    const ref = { userId: randomUUID(), key: 'direct' };
    expect(await claimKey(t.host.database.db, ref, 'h1')).toEqual({ kind: 'new' });
    await expect(claimKey(t.host.database.db, ref, 'h1')).rejects.toMatchObject({
      status: 409,
      code: 'orders.idempotency-key-in-flight',
    });
    await expect(claimKey(t.host.database.db, ref, 'h2')).rejects.toMatchObject({
      status: 422,
      code: 'orders.idempotency-key-reused',
    });
  });
});

describe('withMaskedCard', () => {
  const request = {
    paymentMethod: { card: '4242 4242 4242 4242' },
    shippingAddress: {
      name: 'Ada',
      line1: '1 Row',
      city: 'London',
      postalCode: 'N1',
      country: 'GB',
    },
  };

  it('hashes only the length and last four digits of the card, never the full number', () => {
    const masked = withMaskedCard(request);
    expect(masked.paymentMethod.card).toBe('************4242');
    expect(masked.shippingAddress).toEqual(request.shippingAddress);
    expect(requestHash(masked)).not.toBe(requestHash(request));
    expect(JSON.stringify(masked)).not.toContain('4242 4242');
  });

  it('still tells cards with other last digits apart', () => {
    const other = { ...request, paymentMethod: { card: '4000 0000 0000 0002' } };
    expect(requestHash(withMaskedCard(other))).not.toBe(requestHash(withMaskedCard(request)));
  });
});
