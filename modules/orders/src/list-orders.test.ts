// GET /api/orders: only the caller's orders, newest first, keyset-paginated.
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '@seam/platform';
import type { OrderPage } from './list-orders.js';
import { expectProblem, readJson, readOrder, useOrders, type Shopper } from './test-support.js';

const t = useOrders();
let ada: Shopper;
let bob: Shopper;
const placed: string[] = [];

beforeAll(async () => {
  ada = await t.newShopper();
  bob = await t.newShopper();
  const product = t.world.addProduct({ amount: 100, currency: 'EUR' }, 100);
  for (const shopper of [ada, bob, ada, ada, bob, ada, ada]) {
    t.world.fillCart(shopper.id, [{ product, quantity: 1 }]);
    const order = await readOrder(await t.checkout(shopper));
    if (shopper === ada) placed.push(order.id);
  }
});

const list = async (token: string, query = '') =>
  readJson<OrderPage>(await t.call('GET', query ? `?${query}` : '', token));

describe('listing my orders', () => {
  it('returns only my orders, newest first', async () => {
    const page = await list(ada.token);
    expect(page.items.map((o) => o.id)).toEqual([...placed].reverse());
    expect(page.items.every((o) => o.userId === ada.id)).toBe(true);
    expect(page.nextCursor).toBeNull();
  });

  it('walks every order exactly once by following nextCursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: OrderPage = await list(ada.token, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...placed].reverse());
  });

  it('gives an empty page to a shopper without orders', async () => {
    expect(await list((await t.newShopper()).token)).toEqual({ items: [], nextCursor: null });
  });

  it('answers 400 for a cursor it did not produce, and for a bad limit', async () => {
    await expectProblem(
      await t.call('GET', '?cursor=not-a-cursor!', ada.token),
      400,
      'orders.invalid-cursor',
    );
    await expectProblem(
      await t.call('GET', `?cursor=${'a'.repeat(513)}`, ada.token),
      400,
      'validation-failed',
    );
    await expectProblem(
      await t.call('GET', '?cursor=abc', ada.token),
      400,
      'orders.invalid-cursor',
    );
    const bogus = Buffer.from('["yesterday","x"]').toString('base64url');
    await expectProblem(
      await t.call('GET', `?cursor=${bogus}`, ada.token),
      400,
      'orders.invalid-cursor',
    );
    await expectProblem(await t.call('GET', '?limit=0', ada.token), 400, 'validation-failed');
    await expectProblem(await t.call('GET', '?limit=101', ada.token), 400, 'validation-failed');
  });

  it('gives an empty last page for a cursor past the oldest order', async () => {
    const cursor = encodeCursor({
      createdAt: new Date(0),
      id: '00000000-0000-4000-8000-000000000000',
    });
    expect(await list(ada.token, `cursor=${cursor}`)).toEqual({ items: [], nextCursor: null });
  });

  it('answers 401 without a token', async () => {
    await expectProblem(await t.call('GET', ''), 401, 'unauthorized');
  });
});
