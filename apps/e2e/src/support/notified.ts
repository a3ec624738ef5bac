// expectNotified: the end-to-end check that events were not lost — every order
// a shopper placed has its notification (notifications consume the order events).
import { eventually } from '@seam/platform/testing';
import type { shop, Shopper } from '@seam/shopper';
import { expect } from 'vitest';

/** PlacedOrder is an order answered 201, with the shopper who placed it. */
export interface PlacedOrder {
  shopper: Shopper;
  orderId: string;
}

/**
 * expectNotified waits (up to `timeoutMs`) until each order has a notification
 * naming it (every page of each shopper's notifications).
 */
export async function expectNotified(
  api: ReturnType<typeof shop>,
  placed: readonly PlacedOrder[],
  timeoutMs: number,
): Promise<void> {
  const shoppers = [...new Set(placed.map((p) => p.shopper))];
  await eventually(async () => {
    for (const shopper of shoppers) {
      const noted = new Set((await api.notificationsOf(shopper)).map((n) => n.orderId));
      const missing = placed.filter((p) => p.shopper === shopper && !noted.has(p.orderId));
      expect(missing.map((m) => m.orderId)).toEqual([]);
    }
  }, timeoutMs);
}
