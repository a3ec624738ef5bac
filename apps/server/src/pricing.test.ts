// One pricing rule for the cart and the order, proved on random carts through the
// whole shop in one process: an admin creates products (prices up to 2^53 - 1, two
// currencies) and stocks them, a shopper fills a cart, the admin then deletes,
// reprices or moves products to another currency; the total the cart shows is the
// total the order is charged, and checkout refuses exactly the lines the cart
// lists as left out, with the code of the first kind.
import { randomUUID } from 'node:crypto';
import type { Cart } from '@seam/cart-contract';
import type { CreateProduct, Product } from '@seam/catalog-contract';
import type { Order } from '@seam/orders-contract';
import type { Problem } from '@seam/platform';
import { startTestHostWithTokens, type TestHostWithTokens } from '@seam/platform/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { modules } from './modules.js';
import { json, shop, SUCCESS, type Shop } from './test-support/shop.js';

let t: TestHostWithTokens;
let api: Shop;

beforeAll(async () => {
  t = await startTestHostWithTokens({ modules, env: { SEAM_EVENT_POLL_MS: '20' } });
  api = shop((path, init) => t.request(path, init));
});
afterAll(() => t?.close());

/** The code checkout refuses with for the first kind of left-out line. */
const REFUSAL = {
  unavailable: [409, 'orders.product-unavailable'],
  'other-currency': [409, 'orders.mixed-currencies'],
  overflow: [422, 'orders.total-too-large'],
} as const;

const money = fc.record({
  amount: fc.oneof(
    fc.integer({ min: 1, max: 100_000 }),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  ),
  currency: fc.constantFrom('EUR', 'USD'),
});

/** A change the admin makes to a product after it went into the cart. */
const change = fc.oneof(
  fc.constant({ kind: 'none' as const }),
  fc.constant({ kind: 'delete' as const }),
  fc.record({ kind: fc.constant('price' as const), price: money }),
);

const scenario = fc.record({
  products: fc.array(fc.record({ price: money, change }), { minLength: 1, maxLength: 4 }),
  lines: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })), {
    minLength: 1,
    maxLength: 5,
  }),
});

const admin = (method: string, path: string, body?: unknown) =>
  api.send(method, path, { body, token: t.adminToken });

async function createProduct(price: CreateProduct['price']): Promise<Product> {
  const product = await api.createProduct(t.adminToken, price);
  await json(await admin('PUT', `/api/inventory/stock/${product.id}`, { available: 1000 }), 200);
  return product;
}

it('charges the total the cart shows, and refuses exactly the lines the cart leaves out', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ products: specs, lines }) => {
      const shopper = await t.signUser();
      const products = await Promise.all(specs.map((spec) => createProduct(spec.price)));
      for (const [pick, quantity] of lines) {
        // The cart refuses some adds (another currency, a total too large): what it keeps counts.
        await api.send('POST', '/api/cart/items', {
          body: { productId: products[pick % products.length]!.id, quantity },
          token: shopper.token,
        });
      }
      for (const [index, spec] of specs.entries()) {
        const path = `/api/catalog/products/${products[index]!.id}`;
        if (spec.change.kind === 'delete') expect((await admin('DELETE', path)).status).toBe(204);
        if (spec.change.kind === 'price') {
          await json(await admin('PATCH', path, { price: spec.change.price }), 200);
        }
      }

      const cart = await json<Cart>(
        await api.send('GET', '/api/cart', { token: shopper.token }),
        200,
      );
      const res = await api.send('POST', '/api/orders', {
        body: SUCCESS,
        token: shopper.token,
        headers: { 'idempotency-key': randomUUID() },
      });

      if (cart.leftOut) {
        const reasons = new Set(cart.leftOut.map((line) => line.reason));
        const first = (['unavailable', 'other-currency', 'overflow'] as const).find((reason) =>
          reasons.has(reason),
        )!;
        const problem = await json<Problem>(res, REFUSAL[first][0]);
        expect(problem.code).toBe(REFUSAL[first][1]);
        // Checkout numbers the cart's lines as the cart lists them: items, then leftOut.
        expect(problem.errors?.map((error) => error.path)).toEqual(
          cart.leftOut.map((_, index) => `items.${cart.items.length + index}.productId`),
        );
      } else if (cart.items.length === 0) {
        expect((await json<Problem>(res, 422)).code).toBe('orders.empty-cart');
      } else {
        const order = await json<Order>(res, 201);
        expect(order.status).toBe('confirmed');
        expect(order.total).toEqual(cart.total);
        expect(order.items).toEqual(cart.items);
      }
    }),
    // Each run is some twenty requests through every module: a few runs, a generous timeout.
    { numRuns: 12 },
  );
}, 180_000);
