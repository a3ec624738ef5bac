// DELETE /api/cart/items/{productId}: remove a line from my cart.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
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

const remove = (productId: string, token = shopper.token) =>
  t.call('DELETE', `/items/${productId}`, undefined, token);

it('removes the line and answers the rest of the cart', async () => {
  const kept = stubProduct(300);
  const removed = stubProduct(400);
  await t.add(shopper, kept.id, 1);
  await t.add(shopper, removed.id, 2);
  const cart = await readCart(await remove(removed.id));
  expect(cart.items.map((item) => item.productId)).toEqual([kept.id]);
  expect(cart.total).toEqual({ amount: 300, currency: 'EUR' });
  expect(await t.lines(shopper.id)).toEqual([{ productId: kept.id, quantity: 1 }]);
});

it('answers an empty cart with a null total after removing the last line', async () => {
  const product = stubProduct(300);
  await t.add(shopper, product.id, 1);
  expect(await readCart(await remove(product.id))).toEqual({ items: [], total: null });
});

it('answers 404 cart.item-not-found for a product not in my cart, also the second time', async () => {
  const product = stubProduct(300);
  await t.add(shopper, product.id, 1);
  await readCart(await remove(product.id));
  await expectProblem(await remove(product.id), 404, 'cart.item-not-found');
});

it('removes a line whose product was deleted from the catalog', async () => {
  const product = stubProduct(300);
  await t.add(shopper, product.id, 1);
  catalogStub.products.delete(product.id);
  expect(await readCart(await remove(product.id))).toEqual({ items: [], total: null });
  expect(await t.lines(shopper.id)).toEqual([]);
});

it("does not touch another shopper's line of the same product", async () => {
  const other = await t.shopper();
  const product = stubProduct(300);
  await t.add(other, product.id, 2);
  await expectProblem(await remove(product.id), 404, 'cart.item-not-found');
  expect(await t.lines(other.id)).toEqual([{ productId: product.id, quantity: 2 }]);
});

it('answers 503 and removes nothing when the catalog is unavailable', async () => {
  const product = stubProduct(300);
  await t.add(shopper, product.id, 1);
  catalogStub.unavailable = true;
  await expectProblem(await remove(product.id), 503, 'module-unreachable');
  expect(await t.lines(shopper.id)).toEqual([{ productId: product.id, quantity: 1 }]);
});

it('answers 400 for a product id in the path that is not a UUID', async () => {
  const problem = await expectProblem(await remove('not-a-uuid'), 400, 'validation-failed');
  expect(fieldPaths(problem)).toEqual(['productId']);
});
