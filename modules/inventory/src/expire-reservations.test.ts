// Expiry: open reservations past their expiry give their units back, through
// the sweep function (called directly here with a chosen clock) and through
// the timer that start() runs.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { releaseExpiredReservations } from './expire-reservations.js';
import { reservations } from './schema.js';
import { rejectedProblem, startInventory, type InventoryTestHost } from './test-support.js';

const TTL_SECONDS = 600;
const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

describe('releaseExpiredReservations', () => {
  let t: InventoryTestHost;

  beforeAll(async () => {
    t = await startInventory({ env: { SEAM_RESERVATION_TTL_SECONDS: String(TTL_SECONDS) } });
  });
  afterAll(() => t?.close());

  /** hold reserves `quantity` of a fresh product stocked with 10 units. */
  async function hold(quantity = 2) {
    const productId = await t.product(10);
    const orderId = randomUUID();
    const reservation = await t.inventory.reserve({
      orderId,
      items: [{ productId, quantity }],
    });
    return { productId, orderId, reservation };
  }

  /** expire moves a reservation's expiry a second into the past. */
  async function expire(orderId: string) {
    await t.db
      .update(reservations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(reservations.orderId, orderId));
  }

  it('leaves reservations alone before their expiry', async () => {
    const { productId } = await hold();
    // Earlier tests' reservations expire at the same TTL; none is due yet.
    expect(await releaseExpiredReservations(t.db, { asOf: later(TTL_SECONDS - 30) })).toBe(0);
    expect(await t.stockOf(productId)).toMatchObject({ available: 8, reserved: 2 });
  });

  it('releases open reservations past their expiry and gives their units back', async () => {
    const first = await hold(2);
    const second = await hold(3);
    const released = await releaseExpiredReservations(t.db, { asOf: later(TTL_SECONDS + 30) });
    expect(released).toBeGreaterThanOrEqual(2);
    for (const { productId, orderId, reservation } of [first, second]) {
      expect(await t.stockOf(productId)).toMatchObject({ available: 10, reserved: 0 });
      expect(await t.inventory.release({ orderId })).toEqual({
        ...reservation,
        status: 'released',
      });
    }
    expect(await releaseExpiredReservations(t.db, { asOf: later(TTL_SECONDS + 30) })).toBe(0);
  });

  it('never touches committed reservations', async () => {
    const { productId, orderId } = await hold(4);
    await t.inventory.commit({ orderId });
    await releaseExpiredReservations(t.db, { asOf: later(TTL_SECONDS + 30) });
    expect(await t.stockOf(productId)).toMatchObject({ available: 6, reserved: 0 });
    expect(await t.inventory.commit({ orderId })).toMatchObject({ status: 'committed' });
  });

  it('makes an expired order answer 409 reservation-released to commit and reserve', async () => {
    const { productId, orderId } = await hold(1);
    await releaseExpiredReservations(t.db, { asOf: later(TTL_SECONDS + 30) });
    expect(await rejectedProblem(t.inventory.commit({ orderId }))).toMatchObject({
      status: 409,
      code: 'inventory.reservation-released',
    });
    expect(
      await rejectedProblem(t.inventory.reserve({ orderId, items: [{ productId, quantity: 1 }] })),
    ).toMatchObject({ status: 409, code: 'inventory.reservation-released' });
  });

  it('releases in batches until none is due, adding up units per product', async () => {
    const productId = await t.product(20);
    const orderIds = Array.from({ length: 5 }, () => randomUUID());
    for (const orderId of orderIds) {
      await t.inventory.reserve({ orderId, items: [{ productId, quantity: 2 }] });
    }
    expect(await t.stockOf(productId)).toMatchObject({ available: 10, reserved: 10 });
    const released = await releaseExpiredReservations(t.db, {
      asOf: later(TTL_SECONDS + 30),
      batchSize: 2,
    });
    expect(released).toBe(5);
    expect(await t.stockOf(productId)).toMatchObject({ available: 20, reserved: 0 });
  });

  it('uses the database clock by default', async () => {
    const { productId, orderId } = await hold(2);
    await expire(orderId);
    expect(await releaseExpiredReservations(t.db)).toBe(1);
    expect(await t.stockOf(productId)).toMatchObject({ available: 10, reserved: 0 });
  });

  it('lets a commit win over an expiry the sweeper has not reached yet', async () => {
    const { productId, orderId } = await hold(2);
    await expire(orderId);
    // Expired by the clock but not swept: the units are still held, so the sale goes through.
    expect(await t.inventory.commit({ orderId })).toMatchObject({ status: 'committed' });
    expect(await releaseExpiredReservations(t.db)).toBe(0);
    expect(await t.stockOf(productId)).toMatchObject({ available: 8, reserved: 0 });
  });

  it('releases each reservation once when sweeps race each other', async () => {
    const productId = await t.product(30);
    for (let i = 0; i < 10; i++) {
      await t.inventory.reserve({ orderId: randomUUID(), items: [{ productId, quantity: 3 }] });
    }
    const counts = await Promise.all(
      Array.from({ length: 4 }, () =>
        releaseExpiredReservations(t.db, { asOf: later(TTL_SECONDS + 30), batchSize: 3 }),
      ),
    );
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(10);
    expect(await t.stockOf(productId)).toMatchObject({ available: 30, reserved: 0 });
  });
});

describe('the sweeper start() runs', () => {
  let t: InventoryTestHost;

  beforeAll(async () => {
    t = await startInventory({ env: { SEAM_RESERVATION_TTL_SECONDS: '1' } });
  });
  afterAll(() => t?.close());

  it('releases a reservation on its own once the TTL has passed', async () => {
    const productId = await t.product(3);
    const orderId = randomUUID();
    await t.inventory.reserve({ orderId, items: [{ productId, quantity: 3 }] });
    await vi.waitFor(
      async () => {
        expect(await t.stockOf(productId)).toMatchObject({ available: 3, reserved: 0 });
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(await t.inventory.release({ orderId })).toMatchObject({ status: 'released' });
  });

  it('leaves a committed reservation alone after its TTL', async () => {
    const productId = await t.product(3);
    const orderId = randomUUID();
    await t.inventory.reserve({ orderId, items: [{ productId, quantity: 2 }] });
    await t.inventory.commit({ orderId });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await t.stockOf(productId)).toMatchObject({ available: 1, reserved: 0 });
    expect(await t.inventory.commit({ orderId })).toMatchObject({ status: 'committed' });
  });
});
