// Reading reservations and rendering them as the contract's Reservation, plus
// the errors every transition shares.
import type { Reservation } from '@seam/inventory-contract';
import { AppError, type Database } from '@seam/platform';
import { asc, eq } from 'drizzle-orm';
import { reservationItems, reservations, type ReservationRow } from './schema.js';

export interface ReservationItem {
  productId: string;
  quantity: number;
}

export interface StoredReservation {
  row: ReservationRow;
  /** items are in product id order. */
  items: ReservationItem[];
}

/**
 * findReservation reads one reservation and its items. With `lock`, the
 * reservation row stays locked (FOR UPDATE) until the transaction ends.
 */
export async function findReservation(
  db: Database,
  orderId: string,
  { lock = false } = {},
): Promise<StoredReservation | undefined> {
  const query = db.select().from(reservations).where(eq(reservations.orderId, orderId));
  const [row] = await (lock ? query.for('update') : query);
  if (!row) return undefined;
  const items = await db
    .select({ productId: reservationItems.productId, quantity: reservationItems.quantity })
    .from(reservationItems)
    .where(eq(reservationItems.orderId, orderId))
    .orderBy(asc(reservationItems.productId));
  return { row, items };
}

/** toReservation renders a stored reservation as the contract's JSON shape. */
export function toReservation({ row, items }: StoredReservation): Reservation {
  return {
    orderId: row.orderId,
    status: row.status,
    items: items.map(({ productId, quantity }) => ({ productId, quantity })),
    expiresAt: row.expiresAt.toISOString(),
  };
}

/** reservationNotFound is the 404 of commit and release for an order that never reserved. */
export function reservationNotFound(orderId: string): AppError {
  return AppError.notFound(
    `Order ${orderId} has no reservation`,
    'inventory.reservation-not-found',
  );
}

/** reservationReleased is the 409 for using a reservation that was already released. */
export function reservationReleased(orderId: string): AppError {
  return AppError.conflict(
    `The reservation of order ${orderId} was released (cancelled or expired); its units are back in stock`,
    'inventory.reservation-released',
  );
}
