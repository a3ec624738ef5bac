// The cart with the real catalog and real users, in one process: shoppers
// register and sign in, fill their carts from the demo catalog, and see prices
// an admin changes in the catalog. Rejected requests leave a cart as it was.
// The cart module's own tests cover validation and the catalog failing.
import { randomUUID } from 'node:crypto';
import cart from '@seam/cart';
import { cartContract, type Cart } from '@seam/cart-contract';
import catalog from '@seam/catalog';
import type { CreateProduct, Product } from '@seam/catalog-contract';
import { OrderConfirmed } from '@seam/orders-contract';
import { startTestHost, type TestHost } from '@seam/platform/testing';
import users from '@seam/users';
import { usersContract } from '@seam/users-contract';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { json, problem, shop, type Shop, type Shopper } from './test-support/shop.js';

const ADMIN = { email: 'owner@example.com', password: 'a-long-admin-password' };
const SERVICE_TOKEN = 'cart-app-test-service-token-0123456789abcdef';

let t: TestHost;
let api: Shop;
let adminToken: string;
let euros: Product[];

beforeAll(async () => {
  t = await startTestHost({
    modules: [users, catalog, cart],
    jwks: (clients) => clients.of(usersContract).getJwks({}),
    env: {
      SEAM_DEMO_DATA: 'true',
      SEAM_ADMIN_EMAIL: ADMIN.email,
      SEAM_ADMIN_PASSWORD: ADMIN.password,
      SEAM_SERVICE_TOKEN: SERVICE_TOKEN,
    },
  });
  api = shop((path, init) => t.request(path, init));
  adminToken = await api.logIn(ADMIN.email, ADMIN.password);
  euros = await api.products(4, 'EUR');
});
afterAll(() => t?.close());

let ada: Shopper;
beforeEach(async () => {
  ada = await api.signUp('Ada');
});

const add = (shopper: Shopper, productId: string, quantity: number) =>
  api.send('POST', '/api/cart/items', { body: { productId, quantity }, token: shopper.token });
const patch = (shopper: Shopper, productId: string, quantity: number) =>
  api.send('PATCH', `/api/cart/items/${productId}`, { body: { quantity }, token: shopper.token });
const remove = (shopper: Shopper, productId: string) =>
  api.send('DELETE', `/api/cart/items/${productId}`, { token: shopper.token });

/** createProduct adds a product to the catalog as the admin. */
const createProduct = (price: CreateProduct['price']) => api.createProduct(adminToken, price);

/** unchanged runs a rejected request and checks the cart is exactly as before. */
async function unchanged(shopper: Shopper, rejected: () => Promise<void>) {
  const before = await api.cartOf(shopper);
  await rejected();
  expect(await api.cartOf(shopper)).toEqual(before);
}

it('has euro products in the demo catalog to shop from', () => {
  expect(euros).toHaveLength(4);
});

it('starts empty, with a null total', async () => {
  expect(await api.cartOf(ada)).toEqual({ items: [], total: null });
});

it('adds demo products with their catalog names and prices, and totals them', async () => {
  const [grinder, kettle] = euros as [Product, Product];
  await api.addToCart(ada, grinder, 1);
  const cartNow = await api.addToCart(ada, kettle, 2);
  expect(cartNow).toEqual({
    items: [
      {
        productId: grinder.id,
        name: grinder.name,
        quantity: 1,
        unitPrice: grinder.price,
        lineTotal: grinder.price,
      },
      {
        productId: kettle.id,
        name: kettle.name,
        quantity: 2,
        unitPrice: kettle.price,
        lineTotal: { amount: kettle.price.amount * 2, currency: 'EUR' },
      },
    ],
    total: { amount: grinder.price.amount + 2 * kettle.price.amount, currency: 'EUR' },
  });
  expect(await api.cartOf(ada)).toEqual(cartNow);
});

it('increases the line when the same product is added again', async () => {
  const [beans] = euros as [Product];
  await api.addToCart(ada, beans, 2);
  const cartNow = await api.addToCart(ada, beans, 3);
  expect(cartNow.items).toEqual([expect.objectContaining({ productId: beans.id, quantity: 5 })]);
  expect(cartNow.total).toEqual({ amount: beans.price.amount * 5, currency: 'EUR' });
});

it('sets a quantity with PATCH and removes a line with DELETE', async () => {
  const [first, second] = euros as [Product, Product];
  await api.addToCart(ada, first, 1);
  await api.addToCart(ada, second, 1);
  const patched = await json<Cart>(await patch(ada, first.id, 4), 200);
  expect(patched.items.map((item) => [item.productId, item.quantity])).toEqual([
    [first.id, 4],
    [second.id, 1],
  ]);
  expect(patched.total?.amount).toBe(4 * first.price.amount + second.price.amount);
  const removed = await json<Cart>(await remove(ada, second.id), 200);
  expect(removed.items.map((item) => item.productId)).toEqual([first.id]);
  expect(await json<Cart>(await remove(ada, first.id), 200)).toEqual({ items: [], total: null });
});

it('answers 404 cart.product-not-found for a product the catalog does not have', async () => {
  await unchanged(ada, async () => {
    await problem(await add(ada, randomUUID(), 1), 404, 'cart.product-not-found');
  });
});

it('answers 404 cart.item-not-found when changing or removing a product not in the cart', async () => {
  const [grinder, kettle] = euros as [Product, Product];
  await api.addToCart(ada, grinder, 1);
  await unchanged(ada, async () => {
    await problem(await patch(ada, kettle.id, 2), 404, 'cart.item-not-found');
    await problem(await remove(ada, kettle.id), 404, 'cart.item-not-found');
  });
});

it('answers 409 cart.currency-mismatch for a product in another currency than the cart', async () => {
  const dollars = await createProduct({ amount: 1999, currency: 'USD' });
  const euro = await createProduct({ amount: 1500, currency: 'EUR' });
  await api.addToCart(ada, dollars, 1);
  await unchanged(ada, async () => {
    await problem(await add(ada, euro.id, 1), 409, 'cart.currency-mismatch');
  });
  // Another shopper's cart is in euros: the same products, the other way round.
  const bob = await api.signUp('Bob');
  await api.addToCart(bob, euro, 1);
  await problem(await add(bob, dollars.id, 1), 409, 'cart.currency-mismatch');
});

it('answers 422 cart.quantity-limit past 99 of one product', async () => {
  const [grinder] = euros as [Product];
  await api.addToCart(ada, grinder, 98);
  await unchanged(ada, async () => {
    await problem(await add(ada, grinder.id, 2), 422, 'cart.quantity-limit');
  });
  expect((await api.addToCart(ada, grinder, 1)).items[0]?.quantity).toBe(99);
});

it('answers 400 with field errors for bad quantities and unknown fields, changing nothing', async () => {
  const [grinder] = euros as [Product];
  await api.addToCart(ada, grinder, 1);
  await unchanged(ada, async () => {
    for (const body of [
      { productId: grinder.id, quantity: 0 },
      { productId: grinder.id, quantity: 1.5 },
      { productId: grinder.id, quantity: 1, note: 'gift' },
    ]) {
      const answer = await problem(
        await api.send('POST', '/api/cart/items', { body, token: ada.token }),
        400,
        'validation-failed',
      );
      expect(answer.errors?.length).toBeGreaterThan(0);
    }
    await problem(await patch(ada, grinder.id, 100), 400, 'validation-failed');
  });
});

it('shows a price the admin changes in the catalog on the next read', async () => {
  const product = await createProduct({ amount: 1000, currency: 'EUR' });
  await api.addToCart(ada, product, 3);
  await json<Product>(
    await api.send('PATCH', `/api/catalog/products/${product.id}`, {
      body: { price: { amount: 1250, currency: 'EUR' } },
      token: adminToken,
    }),
    200,
  );
  const cartNow = await api.cartOf(ada);
  expect(cartNow.items[0]).toMatchObject({
    unitPrice: { amount: 1250, currency: 'EUR' },
    lineTotal: { amount: 3750, currency: 'EUR' },
  });
  expect(cartNow.total).toEqual({ amount: 3750, currency: 'EUR' });
});

it('leaves a product deleted from the catalog out of the total and lists it as unavailable', async () => {
  const [grinder] = euros as [Product];
  const doomed = await createProduct({ amount: 500, currency: 'EUR' });
  await api.addToCart(ada, grinder, 1);
  await api.addToCart(ada, doomed, 1);
  const deleted = await api.send('DELETE', `/api/catalog/products/${doomed.id}`, {
    token: adminToken,
  });
  expect(deleted.status).toBe(204);
  expect(await api.cartOf(ada)).toEqual({
    items: [expect.objectContaining({ productId: grinder.id })],
    total: grinder.price,
    // Checkout refuses this line (409 orders.product-unavailable), so the cart shows it.
    leftOut: [{ productId: doomed.id, quantity: 1, reason: 'unavailable' }],
  });
});

it("keeps carts apart: nobody sees or changes another shopper's cart", async () => {
  const bob = await api.signUp('Bob');
  const [grinder] = euros as [Product];
  await api.addToCart(ada, grinder, 2);
  expect(await api.cartOf(bob)).toEqual({ items: [], total: null });
  await unchanged(ada, async () => {
    await problem(await patch(bob, grinder.id, 5), 404, 'cart.item-not-found');
    await problem(await remove(bob, grinder.id), 404, 'cart.item-not-found');
  });
  await api.addToCart(bob, grinder, 1);
  expect((await api.cartOf(ada)).items[0]?.quantity).toBe(2);
});

it('answers 401 without a token', async () => {
  await problem(await api.send('GET', '/api/cart'), 401, 'unauthorized');
});

it('gives orders the same cart through the getCart operation', async () => {
  const [grinder, kettle] = euros as [Product, Product];
  await api.addToCart(ada, grinder, 1);
  await api.addToCart(ada, kettle, 1);
  expect(await t.host.clients.of(cartContract).getCart({ userId: ada.id })).toEqual(
    await api.cartOf(ada),
  );
});

it('empties the cart when its order is confirmed (orders.OrderConfirmed)', async () => {
  const [grinder] = euros as [Product];
  await api.addToCart(ada, grinder, 1);
  const res = await t.request('/internal/events/cart', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-seam-service-token': SERVICE_TOKEN },
    body: JSON.stringify({
      id: randomUUID(),
      type: OrderConfirmed.type,
      version: OrderConfirmed.version,
      source: 'orders',
      occurredAt: new Date().toISOString(),
      payload: { orderId: randomUUID(), userId: ada.id, total: grinder.price, itemCount: 1 },
    }),
  });
  expect(await res.json()).toEqual({ result: 'processed' });
  expect(await api.cartOf(ada)).toEqual({ items: [], total: null });
});
