// PATCH /api/cart/items/{productId}: set the quantity of a line in my cart.
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

const patch = (productId: string, body: unknown, token = shopper.token) =>
  t.call('PATCH', `/items/${productId}`, body, token);

it('sets the quantity (up or down) and answers the priced cart', async () => {
  const product = stubProduct(250);
  await t.add(shopper, product.id, 5);
  expect((await readCart(await patch(product.id, { quantity: 2 }))).total).toEqual({
    amount: 500,
    currency: 'EUR',
  });
  const cart = await readCart(await patch(product.id, { quantity: 99 }));
  expect(cart.items[0]).toMatchObject({ quantity: 99, lineTotal: { amount: 24750 } });
  expect(await t.lines(shopper.id)).toEqual([{ productId: product.id, quantity: 99 }]);
});

it('keeps the line where it is in the cart', async () => {
  const first = stubProduct(1);
  const second = stubProduct(2);
  await t.add(shopper, first.id, 1);
  await t.add(shopper, second.id, 1);
  const cart = await readCart(await patch(first.id, { quantity: 7 }));
  expect(cart.items.map((item) => item.productId)).toEqual([first.id, second.id]);
});

it('answers 404 cart.item-not-found for a product not in my cart', async () => {
  const product = stubProduct(100);
  await expectProblem(await patch(product.id, { quantity: 1 }), 404, 'cart.item-not-found');
  expect(await t.lines(shopper.id)).toEqual([]);
});

it("answers 404 for a product in another shopper's cart and leaves that cart alone", async () => {
  const other = await t.shopper();
  const product = stubProduct(100);
  await t.add(other, product.id, 3);
  await expectProblem(await patch(product.id, { quantity: 1 }), 404, 'cart.item-not-found');
  expect(await t.lines(other.id)).toEqual([{ productId: product.id, quantity: 3 }]);
});

it('answers 503 and changes nothing when the catalog is unavailable', async () => {
  const product = stubProduct(100);
  await t.add(shopper, product.id, 3);
  catalogStub.unavailable = true;
  await expectProblem(await patch(product.id, { quantity: 1 }), 503, 'module-unreachable');
  expect(await t.lines(shopper.id)).toEqual([{ productId: product.id, quantity: 3 }]);
});

it('answers 422 cart.total-too-large when the new quantity makes the total unrepresentable', async () => {
  const huge = stubProduct(Math.floor(Number.MAX_SAFE_INTEGER / 2));
  await t.add(shopper, huge.id, 1);
  await expectProblem(await patch(huge.id, { quantity: 3 }), 422, 'cart.total-too-large');
  expect(await t.lines(shopper.id)).toEqual([{ productId: huge.id, quantity: 1 }]);
});

describe('validation', () => {
  it.each([
    ['quantity 0', { quantity: 0 }, ['quantity']],
    ['quantity 100', { quantity: 100 }, ['quantity']],
    ['a fractional quantity', { quantity: 2.5 }, ['quantity']],
    ['a missing quantity', {}, ['quantity']],
    ['an unknown field', { quantity: 1, productId: randomUUID() }, ['(root)']],
  ])('answers 400 with field errors for %s, changing nothing', async (_case, body, paths) => {
    const product = stubProduct(100);
    await t.add(shopper, product.id, 4);
    const problem = await expectProblem(await patch(product.id, body), 400, 'validation-failed');
    expect(fieldPaths(problem)).toEqual(paths);
    expect(await t.lines(shopper.id)).toEqual([{ productId: product.id, quantity: 4 }]);
  });

  it('answers 400 for a product id in the path that is not a UUID', async () => {
    const problem = await expectProblem(
      await patch('42', { quantity: 1 }),
      400,
      'validation-failed',
    );
    expect(fieldPaths(problem)).toEqual(['productId']);
  });
});
