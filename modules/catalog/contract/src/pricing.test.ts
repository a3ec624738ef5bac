// The pricing rule on plain data (no host): currency, integer sums, what is left
// out and why, and the parallel chunked fetch.
import { randomUUID } from 'node:crypto';
import { AppError } from '@seam/platform';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Product } from './index.js';
import { fetchProducts, GET_PRODUCTS_MAX, priceLines } from './pricing.js';
import { fakeCatalog, testProduct } from './testing.js';

function product(amount: number, currency = 'EUR'): Product {
  return testProduct({ price: { amount, currency }, name: `Product ${amount} ${currency}` });
}

const catalog = (...products: Product[]) => new Map(products.map((p) => [p.id, p]));

describe('priceLines', () => {
  it('prices an empty list with a null total and no currency', () => {
    expect(priceLines([], new Map())).toEqual({
      currency: undefined,
      items: [],
      total: null,
      leftOut: [],
    });
  });

  it('multiplies unit prices by quantities and sums the lines in integer minor units', () => {
    const grinder = product(24900);
    const beans = product(1450);
    const pricing = priceLines(
      [
        { productId: grinder.id, quantity: 1 },
        { productId: beans.id, quantity: 3 },
      ],
      catalog(grinder, beans),
    );
    expect(pricing).toEqual({
      currency: 'EUR',
      items: [
        {
          productId: grinder.id,
          name: grinder.name,
          quantity: 1,
          unitPrice: { amount: 24900, currency: 'EUR' },
          lineTotal: { amount: 24900, currency: 'EUR' },
        },
        {
          productId: beans.id,
          name: beans.name,
          quantity: 3,
          unitPrice: { amount: 1450, currency: 'EUR' },
          lineTotal: { amount: 4350, currency: 'EUR' },
        },
      ],
      total: { amount: 29250, currency: 'EUR' },
      leftOut: [],
    });
  });

  it('keeps amounts exact where floating point would not (0.1 + 0.2)', () => {
    const a = product(10);
    const b = product(20);
    const { total } = priceLines(
      [
        { productId: a.id, quantity: 99 },
        { productId: b.id, quantity: 99 },
      ],
      catalog(a, b),
    );
    expect(total).toEqual({ amount: 2970, currency: 'EUR' });
  });

  it('leaves out lines whose product the catalog no longer has, saying where and why', () => {
    const kept = product(500);
    const goneId = randomUUID();
    const pricing = priceLines(
      [
        { productId: goneId, quantity: 2 },
        { productId: kept.id, quantity: 2 },
      ],
      catalog(kept),
    );
    expect(pricing.items.map((item) => item.productId)).toEqual([kept.id]);
    expect(pricing.total).toEqual({ amount: 1000, currency: 'EUR' });
    expect(pricing.leftOut).toEqual([
      { productId: goneId, quantity: 2, index: 0, reason: 'unavailable' },
    ]);
  });

  it('answers no items and a null total when no product is left in the catalog', () => {
    const pricing = priceLines([{ productId: randomUUID(), quantity: 1 }], new Map());
    expect(pricing.items).toEqual([]);
    expect(pricing.total).toBeNull();
    expect(pricing.currency).toBeUndefined();
  });

  it('takes the currency of the oldest priced line and leaves out lines in another', () => {
    const usd = product(1000, 'USD');
    const eur = product(2000, 'EUR');
    const usd2 = product(300, 'USD');
    const pricing = priceLines(
      [
        { productId: randomUUID(), quantity: 1 },
        { productId: usd.id, quantity: 1 },
        { productId: eur.id, quantity: 1 },
        { productId: usd2.id, quantity: 2 },
      ],
      catalog(usd, eur, usd2),
    );
    expect(pricing.currency).toBe('USD');
    expect(pricing.items.map((item) => item.productId)).toEqual([usd.id, usd2.id]);
    expect(pricing.total).toEqual({ amount: 1600, currency: 'USD' });
    expect(pricing.leftOut.map((line) => [line.index, line.reason])).toEqual([
      [0, 'unavailable'],
      [2, 'other-currency'],
    ]);
  });

  it('leaves out a line that would push the total past a safe integer, and keeps later ones that fit', () => {
    const huge = product(Number.MAX_SAFE_INTEGER - 10);
    const small = product(5);
    const tiny = product(1);
    const fits = priceLines([{ productId: huge.id, quantity: 1 }], catalog(huge));
    expect(fits.leftOut).toEqual([]);
    expect(fits.total?.amount).toBe(Number.MAX_SAFE_INTEGER - 10);

    const over = priceLines(
      [
        { productId: huge.id, quantity: 1 },
        { productId: small.id, quantity: 3 },
        { productId: tiny.id, quantity: 2 },
      ],
      catalog(huge, small, tiny),
    );
    expect(over.items.map((item) => item.productId)).toEqual([huge.id, tiny.id]);
    expect(over.leftOut).toEqual([
      { productId: small.id, quantity: 3, index: 1, reason: 'overflow' },
    ]);
    expect(over.total?.amount).toBe(Number.MAX_SAFE_INTEGER - 8);
  });

  it('holds for any lines: the total is the exact sum of the items, and every line is priced or left out once', () => {
    const currencies = fc.constantFrom('EUR', 'USD');
    const amount = fc.oneof(
      fc.integer({ min: 0, max: 100_000 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    );
    const products = fc.array(fc.record({ amount, currency: currencies, exists: fc.boolean() }), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(
        products,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 99 })), { maxLength: 12 }),
        (specs, picks) => {
          const all = specs.map((spec) => ({
            ...spec,
            product: product(spec.amount, spec.currency),
          }));
          const known = catalog(...all.filter((p) => p.exists).map((p) => p.product));
          const lines = picks.map(([pick, quantity]) => ({
            productId: all[pick % all.length]!.product.id,
            quantity,
          }));
          const pricing = priceLines(lines, known);

          const exact = pricing.items.reduce(
            (sum, item) => sum + BigInt(item.unitPrice.amount) * BigInt(item.quantity),
            0n,
          );
          expect(exact <= BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
          expect(pricing.total?.amount ?? 0).toBe(Number(exact));
          expect(pricing.items.length + pricing.leftOut.length).toBe(lines.length);
          for (const item of pricing.items) {
            expect(item.unitPrice.currency).toBe(pricing.currency);
            expect(item.lineTotal.amount).toBe(item.unitPrice.amount * item.quantity);
          }
          for (const line of pricing.leftOut) {
            expect(lines[line.index]).toEqual({
              productId: line.productId,
              quantity: line.quantity,
            });
            const found = known.get(line.productId);
            if (line.reason === 'unavailable') expect(found).toBeUndefined();
            if (line.reason === 'other-currency') {
              expect(found?.price.currency).not.toBe(pricing.currency);
            }
          }
        },
      ),
    );
  });
});

describe('fetchProducts', () => {
  it('asks nothing for no ids', async () => {
    const fake = fakeCatalog();
    expect(await fetchProducts(fake.client, [])).toEqual(new Map());
    expect(fake.calls.getProducts).toBe(0);
  });

  it(`asks in parallel chunks of ${GET_PRODUCTS_MAX}, each id once, and leaves out unknown ids`, async () => {
    const fake = fakeCatalog();
    const products = Array.from({ length: 250 }, () => fake.add(testProduct()));
    const unknown = randomUUID();
    let inFlight = 0;
    let most = 0;
    fake.before = async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
    };
    const ids = [...products.map((p) => p.id), products[0]!.id, unknown];
    const found = await fetchProducts(fake.client, ids);
    expect(fake.calls.getProducts).toBe(3);
    expect(most).toBe(3);
    expect([...found.keys()]).toEqual(products.map((p) => p.id));
  });

  it("passes the catalog's failure on", async () => {
    const fake = fakeCatalog();
    fake.unavailable = true;
    await expect(fetchProducts(fake.client, [randomUUID()])).rejects.toBeInstanceOf(AppError);
  });
});
