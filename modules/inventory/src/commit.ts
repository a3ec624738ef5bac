// Committing a reservation: the order was paid, so its units leave stock for
// good (`reserved` goes down, `available` stays). Idempotent per order id.
import type { Reservation } from '@seam/inventory-contract';
import type { Database } from '@seam/platform';
import { eq, sql } from 'drizzle-orm';
import {
  findReservation,
  reservationNotFound,
  reservationReleased,
  toReservation,
} from './reservation-row.js';
import { reservations } from './schema.js';
import { shiftStock } from './stock.js';

/**
 * commit turns the order's reservation into a sale. A committed one is
 * returned as it is; a released one is a 409, an unknown order a 404.
 * A reservation past its expiry that the sweeper has not released yet still
 * commits: its units are still held.
 */
export async function commit(db: Database, orderId: string): Promise<Reservation> {
  const id = orderId.toLowerCase();
  return db.transaction(async (tx) => {
    const stored = await findReservation(tx, id, { lock: true });
    if (!stored) throw reservationNotFound(id);
    const { status } = stored.row;
    switch (status) {
      case 'committed':
        return toReservation(stored);
      case 'released':
        throw reservationReleased(id);
      case 'reserved': {
        await shiftStock(
          tx,
          stored.items.map(({ productId, quantity }) => ({
            productId,
            available: 0,
            reserved: -quantity,
          })),
        );
        const [row] = await tx
          .update(reservations)
          .set({ status: 'committed', updatedAt: sql`now()` })
          .where(eq(reservations.orderId, id))
          .returning();
        return toReservation({ row: row!, items: stored.items });
      }
      default: {
        const never: never = status;
        throw new Error(`unknown reservation status ${String(never)}`);
      }
    }
  });
}
