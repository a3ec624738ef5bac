// Reservation transitions: reserved → committed (a sale) or released (units
// back); committed → released (a restock after a cancel). Every transition is
// idempotent; the invalid ones change nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejectedProblem, startInventory, type InventoryTestHost } from './test-support.js';

let t: InventoryTestHost;

beforeAll(async () => {
  t = await startInventory();
});
afterAll(() => t?.close());

/** unchanged runs `action` and asserts no inventory row changed. */
async function unchanged(action: () => Promise<unknown>): Promise<void> {
  const before = await t.snapshot();
  await action();
  expect(await t.snapshot()).toEqual(before);
}

/** reserved makes two products and a reservation of 2 + 1 units out of 5 + 5. */
async function reserved() {
  const [a, b] = [await t.product(5), await t.product(5)];
  const orderId = randomUUID();
  const reservation = await t.inventory.reserve({
    orderId,
    items: [
      { productId: a, quantity: 2 },
      { productId: b, quantity: 1 },
    ],
  });
  return { a, b, orderId, reservation };
}

describe('commit', () => {
  it('turns reserved units into a sale: reserved goes down, available stays', async () => {
    const { a, b, orderId, reservation } = await reserved();
    const committed = await t.inventory.commit({ orderId });
    expect(committed).toEqual({ ...reservation, status: 'committed' });
    expect(await t.stockOf(a)).toMatchObject({ available: 3, reserved: 0 });
    expect(await t.stockOf(b)).toMatchObject({ available: 4, reserved: 0 });
  });

  it('returns a committed reservation as it is', async () => {
    const { orderId } = await reserved();
    const committed = await t.inventory.commit({ orderId });
    await unchanged(async () => {
      expect(await t.inventory.commit({ orderId })).toEqual(committed);
    });
  });

  it('answers 409 reservation-released for a released reservation', async () => {
    const { orderId } = await reserved();
    await t.inventory.release({ orderId });
    await unchanged(async () => {
      expect(await rejectedProblem(t.inventory.commit({ orderId }))).toMatchObject({
        status: 409,
        code: 'inventory.reservation-released',
      });
    });
  });

  it('answers 404 reservation-not-found for an order that never reserved', async () => {
    const orderId = randomUUID();
    await unchanged(async () => {
      const problem = await rejectedProblem(t.inventory.commit({ orderId }));
      expect(problem).toMatchObject({ status: 404, code: 'inventory.reservation-not-found' });
      expect(problem.detail).toContain(orderId);
    });
  });

  it('answers 400 for an order id that is not a uuid', async () => {
    expect(await rejectedProblem(t.inventory.commit({ orderId: 'order-1' }))).toMatchObject({
      status: 400,
      errors: [expect.objectContaining({ path: 'orderId' })],
    });
  });
});

describe('release', () => {
  it('gives reserved units back to available', async () => {
    const { a, b, orderId, reservation } = await reserved();
    const released = await t.inventory.release({ orderId });
    expect(released).toEqual({ ...reservation, status: 'released' });
    expect(await t.stockOf(a)).toMatchObject({ available: 5, reserved: 0 });
    expect(await t.stockOf(b)).toMatchObject({ available: 5, reserved: 0 });
  });

  it('restocks the units of a committed reservation', async () => {
    const { a, b, orderId } = await reserved();
    await t.inventory.commit({ orderId });
    expect(await t.inventory.release({ orderId })).toMatchObject({ status: 'released' });
    expect(await t.stockOf(a)).toMatchObject({ available: 5, reserved: 0 });
    expect(await t.stockOf(b)).toMatchObject({ available: 5, reserved: 0 });
  });

  it('restocks on top of a count an admin set after the sale', async () => {
    const { a, orderId } = await reserved();
    await t.inventory.commit({ orderId });
    await t.call('PUT', `/stock/${a}`, { available: 10 }, t.adminToken);
    await t.inventory.release({ orderId });
    expect(await t.stockOf(a)).toMatchObject({ available: 12, reserved: 0 });
  });

  it('returns a released reservation as it is and gives nothing back twice', async () => {
    const { a, orderId } = await reserved();
    const released = await t.inventory.release({ orderId });
    await unchanged(async () => {
      expect(await t.inventory.release({ orderId })).toEqual(released);
    });
    expect(await t.stockOf(a)).toMatchObject({ available: 5, reserved: 0 });
  });

  it('answers 404 reservation-not-found for an order that never reserved', async () => {
    await unchanged(async () => {
      expect(await rejectedProblem(t.inventory.release({ orderId: randomUUID() }))).toMatchObject({
        status: 404,
        code: 'inventory.reservation-not-found',
      });
    });
  });

  it('lets released units be reserved by another order', async () => {
    const productId = await t.product(1);
    const first = randomUUID();
    await t.inventory.reserve({ orderId: first, items: [{ productId, quantity: 1 }] });
    const second = randomUUID();
    expect(
      await rejectedProblem(
        t.inventory.reserve({ orderId: second, items: [{ productId, quantity: 1 }] }),
      ),
    ).toMatchObject({ code: 'inventory.insufficient-stock' });
    await t.inventory.release({ orderId: first });
    expect(
      await t.inventory.reserve({ orderId: second, items: [{ productId, quantity: 1 }] }),
    ).toMatchObject({ status: 'reserved' });
    expect(await t.stockOf(productId)).toMatchObject({ available: 0, reserved: 1 });
  });

  it('keeps commit and release consistent when they race for one order', async () => {
    for (let round = 0; round < 5; round++) {
      const { a, b, orderId } = await reserved();
      const [commit, release] = await Promise.allSettled([
        t.inventory.commit({ orderId }),
        t.inventory.release({ orderId }),
      ]);
      // Whichever ran first, release ends the story: the units are back.
      expect(release.status).toBe('fulfilled');
      if (commit.status === 'rejected') {
        expect(commit.reason).toMatchObject({ code: 'inventory.reservation-released' });
      }
      expect(await t.stockOf(a)).toMatchObject({ available: 5, reserved: 0 });
      expect(await t.stockOf(b)).toMatchObject({ available: 5, reserved: 0 });
    }
  });
});
