// Pricing rules of a cart, on plain data: no host, no catalog.
import { randomUUID } from 'node:crypto';
import type { Product } from '@seam/catalog-contract';
import { describe, expect, it } from 'vitest';
import { cartCurrency, priceLines } from './price-cart.js';

function product(amount: number, currency = 'EUR'): Product {
  return {
    id: randomUUID(),
    sku: 'SKU-1',
    name: `Product ${amount} ${currency}`,
    description: '',
    price: { amount, currency },
    category: 'testing',
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  };
}

const catalog = (...products: Product[]) => new Map(products.map((p) => [p.id, p]));

describe('priceLines', () => {
  it('prices an empty cart with a null total', () => {
    expect(priceLines([], new Map())).toEqual({
      cart: { items: [], total: null },
      overflowed: false,
    });
  });

  it('multiplies unit prices by quantities and sums the lines in integer minor units', () => {
    const grinder = product(24900);
    const beans = product(1450);
    const { cart } = priceLines(
      [
        { productId: grinder.id, quantity: 1 },
        { productId: beans.id, quantity: 3 },
      ],
      catalog(grinder, beans),
    );
    expect(cart).toEqual({
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
    });
  });

  it('keeps amounts exact where floating point would not (0.1 + 0.2)', () => {
    const a = product(10);
    const b = product(20);
    const { cart } = priceLines(
      [
        { productId: a.id, quantity: 99 },
        { productId: b.id, quantity: 99 },
      ],
      catalog(a, b),
    );
    expect(cart.total).toEqual({ amount: 2970, currency: 'EUR' });
  });

  it('leaves out lines whose product the catalog no longer has', () => {
    const kept = product(500);
    const { cart } = priceLines(
      [
        { productId: randomUUID(), quantity: 2 },
        { productId: kept.id, quantity: 2 },
      ],
      catalog(kept),
    );
    expect(cart.items.map((item) => item.productId)).toEqual([kept.id]);
    expect(cart.total).toEqual({ amount: 1000, currency: 'EUR' });
  });

  it('answers an empty cart when no product is left in the catalog', () => {
    expect(priceLines([{ productId: randomUUID(), quantity: 1 }], new Map()).cart).toEqual({
      items: [],
      total: null,
    });
  });

  it('takes the currency of the oldest priced line and leaves out lines in another', () => {
    const usd = product(1000, 'USD');
    const eur = product(2000, 'EUR');
    const usd2 = product(300, 'USD');
    const { cart } = priceLines(
      [
        { productId: usd.id, quantity: 1 },
        { productId: eur.id, quantity: 1 },
        { productId: usd2.id, quantity: 2 },
      ],
      catalog(usd, eur, usd2),
    );
    expect(cart.items.map((item) => item.productId)).toEqual([usd.id, usd2.id]);
    expect(cart.total).toEqual({ amount: 1600, currency: 'USD' });
  });

  it('reports an overflow instead of answering a total that is not a safe integer', () => {
    const huge = product(Number.MAX_SAFE_INTEGER - 10);
    const small = product(5);
    const fits = priceLines([{ productId: huge.id, quantity: 1 }], catalog(huge));
    expect(fits.overflowed).toBe(false);
    expect(fits.cart.total?.amount).toBe(Number.MAX_SAFE_INTEGER - 10);

    const over = priceLines(
      [
        { productId: huge.id, quantity: 1 },
        { productId: small.id, quantity: 3 },
      ],
      catalog(huge, small),
    );
    expect(over.overflowed).toBe(true);
    expect(over.cart.items.map((item) => item.productId)).toEqual([huge.id]);
    expect(Number.isSafeInteger(over.cart.total?.amount)).toBe(true);
  });
});

describe('cartCurrency', () => {
  it('is undefined for an empty cart and for a cart of deleted products', () => {
    expect(cartCurrency([], new Map())).toBeUndefined();
    expect(cartCurrency([{ productId: randomUUID(), quantity: 1 }], new Map())).toBeUndefined();
  });

  it('is the currency of the oldest line the catalog still has', () => {
    const gbp = product(100, 'GBP');
    const lines = [
      { productId: randomUUID(), quantity: 1 },
      { productId: gbp.id, quantity: 1 },
    ];
    expect(cartCurrency(lines, catalog(gbp))).toBe('GBP');
  });
});
