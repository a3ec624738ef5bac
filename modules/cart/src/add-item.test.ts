// POST /api/cart/items: validation, the catalog's answers (stub), the quantity
// and currency rules, and that a rejected add changes nothing — also under
// concurrent requests of one shopper.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  catalogStub,
  expectProblem,
  fieldPaths,
  readCart,
  startCart,
  stubProduct,
  type CartTestHost,
  type Shopper,
} from './test-support.js';

describe('with the catalog', () => {
  let t: CartTestHost;
  let shopper: Shopper;
  beforeAll(async () => {
    t = await startCart('stub');
  });
  afterAll(() => t?.close());
  beforeEach(async () => {
    catalogStub.unavailable = false;
    shopper = await t.shopper();
  });

  const post = (body: unknown, token = shopper.token) => t.call('POST', '/items', body, token);

  it('adds a product and answers the whole priced cart', async () => {
    const grinder = stubProduct(24900, 'EUR', 'Grinder');
    const cart = await readCart(await post({ productId: grinder.id, quantity: 2 }));
    expect(cart).toEqual({
      items: [
        {
          productId: grinder.id,
          name: 'Grinder',
          quantity: 2,
          unitPrice: { amount: 24900, currency: 'EUR' },
          lineTotal: { amount: 49800, currency: 'EUR' },
        },
      ],
      total: { amount: 49800, currency: 'EUR' },
    });
    expect(await t.lines(shopper.id)).toEqual([{ productId: grinder.id, quantity: 2 }]);
  });

  it('adds to the existing line of the same product', async () => {
    const beans = stubProduct(1450);
    const kettle = stubProduct(6990);
    await t.add(shopper, beans.id, 1);
    await t.add(shopper, kettle.id, 1);
    const cart = await t.add(shopper, beans.id, 2);
    expect(cart.items.map((item) => [item.productId, item.quantity])).toEqual([
      [beans.id, 3],
      [kettle.id, 1],
    ]);
    expect(cart.total).toEqual({ amount: 3 * 1450 + 6990, currency: 'EUR' });
  });

  it('answers 404 cart.product-not-found for a product the catalog does not have', async () => {
    await expectProblem(
      await post({ productId: randomUUID(), quantity: 1 }),
      404,
      'cart.product-not-found',
    );
    expect(await t.lines(shopper.id)).toEqual([]);
  });

  it('answers 409 cart.currency-mismatch for a product in another currency, changing nothing', async () => {
    const eur = stubProduct(1000, 'EUR');
    const usd = stubProduct(1000, 'USD');
    await t.add(shopper, eur.id, 1);
    const problem = await expectProblem(
      await post({ productId: usd.id, quantity: 1 }),
      409,
      'cart.currency-mismatch',
    );
    expect(problem.detail).toContain('EUR');
    expect(problem.detail).toContain('USD');
    expect(await t.lines(shopper.id)).toEqual([{ productId: eur.id, quantity: 1 }]);
  });

  it('takes any currency once the cart is empty again', async () => {
    const eur = stubProduct(1000, 'EUR');
    const usd = stubProduct(1000, 'USD');
    await t.add(shopper, eur.id, 1);
    await readCart(await t.call('DELETE', `/items/${eur.id}`, undefined, shopper.token));
    const cart = await t.add(shopper, usd.id, 1);
    expect(cart.total).toEqual({ amount: 1000, currency: 'USD' });
  });

  it('accepts up to 99 of one product and answers 422 cart.quantity-limit beyond, changing nothing', async () => {
    const product = stubProduct(10);
    await t.add(shopper, product.id, 60);
    expect((await t.add(shopper, product.id, 39)).items[0]?.quantity).toBe(99);
    const problem = await expectProblem(
      await post({ productId: product.id, quantity: 1 }),
      422,
      'cart.quantity-limit',
    );
    expect(problem.detail).toContain('99');
    expect(await t.lines(shopper.id)).toEqual([{ productId: product.id, quantity: 99 }]);
  });

  it('answers 422 cart.total-too-large when the total would not be a safe integer', async () => {
    const huge = stubProduct(Number.MAX_SAFE_INTEGER - 1);
    await t.add(shopper, huge.id, 1);
    await expectProblem(
      await post({ productId: huge.id, quantity: 1 }),
      422,
      'cart.total-too-large',
    );
    expect(await t.lines(shopper.id)).toEqual([{ productId: huge.id, quantity: 1 }]);
  });

  it('answers 503 and stores nothing when the catalog is unavailable', async () => {
    const product = stubProduct(10);
    catalogStub.unavailable = true;
    await expectProblem(
      await post({ productId: product.id, quantity: 1 }),
      503,
      'module-unreachable',
    );
    expect(await t.lines(shopper.id)).toEqual([]);
  });

  it('keeps one currency when products in two currencies are added at the same time', async () => {
    const products = Array.from({ length: 8 }, (_, i) => stubProduct(100, i % 2 ? 'USD' : 'EUR'));
    const answers = await Promise.all(
      products.map((product) => post({ productId: product.id, quantity: 1 })),
    );
    const outcomes = await Promise.all(
      answers.map(async (res) =>
        `${res.status} ${((await res.json()) as { code?: string }).code ?? ''}`.trim(),
      ),
    );
    // The first add to commit picks the currency; the four products in it all get in.
    expect(outcomes.sort()).toEqual([
      ...Array(4).fill('200'),
      ...Array(4).fill('409 cart.currency-mismatch'),
    ]);
    const lines = await t.lines(shopper.id);
    const currencies = new Set(
      lines.map((line) => catalogStub.products.get(line.productId)!.price.currency),
    );
    expect(currencies.size).toBe(1);
    expect(lines).toHaveLength(4);
  });

  it('never lets concurrent adds of one product pass 99', async () => {
    const product = stubProduct(10);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => post({ productId: product.id, quantity: 30 })),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 200, 422]);
    expect(await t.lines(shopper.id)).toEqual([{ productId: product.id, quantity: 90 }]);
  });

  describe('validation', () => {
    const productId = randomUUID();
    it.each([
      ['quantity 0', { productId, quantity: 0 }, ['quantity']],
      ['quantity 100', { productId, quantity: 100 }, ['quantity']],
      ['a negative quantity', { productId, quantity: -1 }, ['quantity']],
      ['a fractional quantity', { productId, quantity: 1.5 }, ['quantity']],
      ['a quantity given as a string', { productId, quantity: '2' }, ['quantity']],
      ['a missing quantity', { productId }, ['quantity']],
      ['a missing productId', { quantity: 1 }, ['productId']],
      ['a productId that is not a UUID', { productId: '42', quantity: 1 }, ['productId']],
      ['an unknown field', { productId, quantity: 1, price: 1 }, ['(root)']],
      ['an array body', [], ['(root)']],
    ])('answers 400 with field errors for %s', async (_case, body, paths) => {
      const problem = await expectProblem(await post(body), 400, 'validation-failed');
      expect(fieldPaths(problem)).toEqual(paths);
      expect(await t.lines(shopper.id)).toEqual([]);
    });

    it('answers 400 malformed-json for a body that is not JSON', async () => {
      const res = await t.request('/api/cart/items', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${shopper.token}` },
        body: '{"productId":',
      });
      await expectProblem(res, 400, 'malformed-json');
    });

    it('answers 415 for a body that is not application/json', async () => {
      const res = await t.request('/api/cart/items', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${shopper.token}` },
        body: 'productId=1',
      });
      await expectProblem(res, 415);
    });
  });
});

describe('without a reachable catalog', () => {
  let t: CartTestHost;
  beforeAll(async () => {
    t = await startCart('none');
  });
  afterAll(() => t?.close());

  it('answers a clean 503 module-unreachable problem and stores nothing', async () => {
    const shopper = await t.shopper();
    const res = await t.call(
      'POST',
      '/items',
      { productId: randomUUID(), quantity: 1 },
      shopper.token,
    );
    await expectProblem(res, 503, 'module-unreachable');
    expect(await t.lines(shopper.id)).toEqual([]);
  });

  it('still validates the body first (400, not 503)', async () => {
    const shopper = await t.shopper();
    const res = await t.call(
      'POST',
      '/items',
      { productId: randomUUID(), quantity: 0 },
      shopper.token,
    );
    await expectProblem(res, 400, 'validation-failed');
  });
});
