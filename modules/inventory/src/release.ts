// Releasing a reservation: the order was cancelled or failed, so its units go
// back to available stock — from `reserved` if it was still open, or as a
// restock if it was committed. Idempotent per order id.
import type { Reservation } from '@seam/inventory-contract';
import type { Database } from '@seam/platform';
import { eq, sql } from 'drizzle-orm';
import {
  findReservation,
  reservationNotFound,
  toReservation,
  type ReservationItem,
} from './reservation-row.js';
import { reservations } from './schema.js';
import { shiftStock, type StockShift } from './stock.js';

/**
 * release gives the order's units back. A released reservation is returned
 * as it is; an unknown order is a 404.
 */
export async function release(db: Database, orderId: string): Promise<Reservation> {
  const id = orderId.toLowerCase();
  return db.transaction(async (tx) => {
    const stored = await findReservation(tx, id, { lock: true });
    if (!stored) throw reservationNotFound(id);
    const { status } = stored.row;
    if (status === 'released') return toReservation(stored);
    await shiftStock(tx, releaseShifts(stored.items, status));
    const [row] = await tx
      .update(reservations)
      .set({ status: 'released', updatedAt: sql`now()` })
      .where(eq(reservations.orderId, id))
      .returning();
    return toReservation({ row: row!, items: stored.items });
  });
}

/**
 * releaseShifts is the stock movement that returns `items` to available: out
 * of `reserved` for an open reservation; a sale's units already left it.
 */
export function releaseShifts(
  items: readonly ReservationItem[],
  from: 'reserved' | 'committed',
): StockShift[] {
  return items.map(({ productId, quantity }) => ({
    productId,
    available: quantity,
    reserved: from === 'reserved' ? -quantity : 0,
  }));
}
