// GET /api/cart: the cart priced live from the catalog, with a stub catalog the
// tests control, and with no catalog reachable at all.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  catalogStub,
  expectProblem,
  readCart,
  reprice,
  startCart,
  stubProduct,
  type CartTestHost,
} from './test-support.js';

describe('with the catalog', () => {
  let t: CartTestHost;
  beforeAll(async () => {
    t = await startCart('stub');
  });
  afterAll(() => t?.close());
  beforeEach(() => {
    catalogStub.unavailable = false;
  });

  it('answers an empty cart with a null total', async () => {
    const shopper = await t.shopper();
    expect(await readCart(await t.call('GET', '', undefined, shopper.token))).toEqual({
      items: [],
      total: null,
    });
  });

  it('lists lines oldest first with current names and prices', async () => {
    const shopper = await t.shopper();
    const first = stubProduct(300);
    const second = stubProduct(200);
    await t.store(shopper.id, [
      { productId: second.id, quantity: 1, at: new Date(Date.now() - 1000) },
      { productId: first.id, quantity: 2, at: new Date(Date.now() - 2000) },
    ]);
    const cart = await readCart(await t.call('GET', '', undefined, shopper.token));
    expect(cart.items.map((item) => [item.productId, item.quantity])).toEqual([
      [first.id, 2],
      [second.id, 1],
    ]);
    expect(cart.total).toEqual({ amount: 800, currency: 'EUR' });
  });

  it('reflects a price change in the catalog on the next read', async () => {
    const shopper = await t.shopper();
    const product = stubProduct(1000);
    await t.add(shopper, product.id, 3);
    reprice(product, 1200);
    const cart = await readCart(await t.call('GET', '', undefined, shopper.token));
    expect(cart.items[0]).toMatchObject({
      unitPrice: { amount: 1200, currency: 'EUR' },
      lineTotal: { amount: 3600, currency: 'EUR' },
    });
    expect(cart.total).toEqual({ amount: 3600, currency: 'EUR' });
  });

  it('leaves out a product deleted from the catalog but keeps its stored line', async () => {
    const shopper = await t.shopper();
    const gone = stubProduct(500);
    const kept = stubProduct(700);
    await t.add(shopper, gone.id, 1);
    await t.add(shopper, kept.id, 1);
    catalogStub.products.delete(gone.id);
    const cart = await readCart(await t.call('GET', '', undefined, shopper.token));
    expect(cart.items.map((item) => item.productId)).toEqual([kept.id]);
    expect(cart.total).toEqual({ amount: 700, currency: 'EUR' });
    expect(await t.lines(shopper.id)).toHaveLength(2);
  });

  it('shows the lines in the currency of the oldest line after the catalog changed a currency', async () => {
    const shopper = await t.shopper();
    const a = stubProduct(100);
    const b = stubProduct(200);
    await t.add(shopper, a.id, 1);
    await t.add(shopper, b.id, 1);
    reprice(b, 250, 'USD');
    const cart = await readCart(await t.call('GET', '', undefined, shopper.token));
    expect(cart.items.map((item) => item.productId)).toEqual([a.id]);
    expect(cart.total).toEqual({ amount: 100, currency: 'EUR' });
  });

  it('lists the lines it leaves out of the total, and why, in the order stored', async () => {
    const shopper = await t.shopper();
    const kept = stubProduct(100);
    const gone = stubProduct(200);
    const moved = stubProduct(300);
    const huge = stubProduct(400);
    await t.store(shopper.id, [
      { productId: kept.id, quantity: 1 },
      { productId: gone.id, quantity: 2 },
      { productId: moved.id, quantity: 3 },
      { productId: huge.id, quantity: 4 },
    ]);
    catalogStub.products.delete(gone.id);
    reprice(moved, 300, 'USD');
    reprice(huge, Number.MAX_SAFE_INTEGER);
    const cart = await readCart(await t.call('GET', '', undefined, shopper.token));
    expect(cart).toEqual({
      items: [expect.objectContaining({ productId: kept.id })],
      total: { amount: 100, currency: 'EUR' },
      leftOut: [
        { productId: gone.id, quantity: 2, reason: 'unavailable' },
        { productId: moved.id, quantity: 3, reason: 'other-currency' },
        { productId: huge.id, quantity: 4, reason: 'overflow' },
      ],
    });
  });

  it('prices a cart of more products than one catalog call takes', async () => {
    const shopper = await t.shopper();
    const products = Array.from({ length: 150 }, () => stubProduct(1));
    await t.store(
      shopper.id,
      products.map((product) => ({ productId: product.id, quantity: 2 })),
    );
    const before = catalogStub.calls.getProducts;
    const cart = await readCart(await t.call('GET', '', undefined, shopper.token));
    expect(catalogStub.calls.getProducts - before).toBe(2);
    expect(cart.items).toHaveLength(150);
    expect(cart.items.map((item) => item.productId)).toEqual(products.map((p) => p.id));
    expect(cart.total).toEqual({ amount: 300, currency: 'EUR' });
  });

  it("never shows another user's cart", async () => {
    const ada = await t.shopper();
    const bob = await t.shopper();
    await t.add(ada, stubProduct(999).id, 1);
    expect(await readCart(await t.call('GET', '', undefined, bob.token))).toEqual({
      items: [],
      total: null,
    });
  });

  it('answers 503 when the catalog fails', async () => {
    const shopper = await t.shopper();
    await t.add(shopper, stubProduct(100).id, 1);
    catalogStub.unavailable = true;
    await expectProblem(
      await t.call('GET', '', undefined, shopper.token),
      503,
      'module-unreachable',
    );
  });
});

describe('without a reachable catalog', () => {
  let t: CartTestHost;
  beforeAll(async () => {
    t = await startCart('none');
  });
  afterAll(() => t?.close());

  it('answers an empty cart without asking the catalog', async () => {
    const shopper = await t.shopper();
    expect(await readCart(await t.call('GET', '', undefined, shopper.token))).toEqual({
      items: [],
      total: null,
    });
  });

  it('answers a clean 503 module-unreachable problem for a cart with lines', async () => {
    const shopper = await t.shopper();
    await t.store(shopper.id, [{ productId: randomUUID(), quantity: 1 }]);
    const problem = await expectProblem(
      await t.call('GET', '', undefined, shopper.token),
      503,
      'module-unreachable',
    );
    expect(problem.detail).toContain('catalog');
    expect(problem.instance).toBe('/api/cart');
  });
});
