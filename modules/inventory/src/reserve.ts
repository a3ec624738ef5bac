// Reserving stock for an order: every item or nothing, in one transaction, and
// idempotent per order id. Each item is one conditional update
// (`available >= quantity`), so concurrent reservations can never oversell:
// the row lock serialises them and the loser sees the winner's result.
import type { Reservation } from '@seam/inventory-contract';
import { AppError, type Database, type FieldError } from '@seam/platform';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import {
  findReservation,
  reservationReleased,
  toReservation,
  type ReservationItem,
} from './reservation-row.js';
import { reservationItems, reservations, stock } from './schema.js';
import { byProductId } from './stock.js';

export interface ReserveInput {
  orderId: string;
  items: readonly ReservationItem[];
}

/**
 * reserve holds every item of `input` for the order, or nothing:
 *
 * - a product short of stock fails the whole call with 409
 *   `inventory.insufficient-stock`, one field error per short item;
 * - a repeat for an order that holds the same items returns the stored
 *   reservation unchanged (reserved or committed); other items are a 409
 *   `inventory.reservation-mismatch`, a released reservation a 409
 *   `inventory.reservation-released`;
 * - a product listed twice is a 400 (merge quantities before calling).
 *
 * @example
 * const reservation = await reserve(db, { orderId, items: [{ productId, quantity: 2 }] }, 900);
 */
export async function reserve(
  db: Database,
  input: ReserveInput,
  ttlSeconds: number,
): Promise<Reservation> {
  const orderId = input.orderId.toLowerCase();
  const items = input.items.map((item) => ({
    productId: item.productId.toLowerCase(),
    quantity: item.quantity,
  }));
  rejectDuplicates(items);

  return db.transaction(async (tx) => {
    // The primary key decides between concurrent calls for one order: the
    // second waits for the first and then finds its reservation.
    const [created] = await tx
      .insert(reservations)
      .values({
        orderId,
        status: 'reserved',
        expiresAt: sql`now() + ${ttlSeconds}::integer * interval '1 second'`,
      })
      .onConflictDoNothing({ target: reservations.orderId })
      .returning();
    if (!created) return repeated(tx, orderId, items);

    const short: { index: number; item: ReservationItem }[] = [];
    const indexed = items.map((item, index) => ({ index, item }));
    for (const { index, item } of indexed.sort((a, b) => byProductId(a.item, b.item))) {
      const taken = await tx
        .update(stock)
        .set({
          available: sql`${stock.available} - ${item.quantity}::integer`,
          reserved: sql`${stock.reserved} + ${item.quantity}::integer`,
          updatedAt: sql`now()`,
        })
        .where(and(eq(stock.productId, item.productId), gte(stock.available, item.quantity)))
        .returning({ productId: stock.productId });
      if (taken.length === 0) short.push({ index, item });
    }
    if (short.length > 0) throw await insufficientStock(tx, items.length, short);

    await tx.insert(reservationItems).values(items.map((item) => ({ orderId, ...item })));
    return toReservation({ row: created, items: [...items].sort(byProductId) });
  });
}

/** repeated answers a reserve for an order that already has a reservation. */
async function repeated(
  tx: Database,
  orderId: string,
  items: ReservationItem[],
): Promise<Reservation> {
  const stored = await findReservation(tx, orderId);
  // Reservations are never deleted, so the row that conflicted is there.
  if (!stored) throw new Error(`reservation ${orderId} conflicted but cannot be read`);
  if (stored.row.status === 'released') throw reservationReleased(orderId);
  const asked = [...items].sort(byProductId);
  const same =
    asked.length === stored.items.length &&
    asked.every(
      (item, i) =>
        item.productId === stored.items[i]!.productId &&
        item.quantity === stored.items[i]!.quantity,
    );
  if (!same) {
    throw AppError.conflict(
      `Order ${orderId} already holds a reservation of other items; release it or use a new order id`,
      'inventory.reservation-mismatch',
    );
  }
  return toReservation(stored);
}

function rejectDuplicates(items: readonly ReservationItem[]): void {
  const firstIndex = new Map<string, number>();
  const errors: FieldError[] = [];
  items.forEach((item, index) => {
    const first = firstIndex.get(item.productId);
    if (first === undefined) firstIndex.set(item.productId, index);
    else
      errors.push({
        path: `items.${index}.productId`,
        message: `Product ${item.productId} is already listed at items.${first}; send one item per product`,
        code: 'duplicate_product',
      });
  });
  if (errors.length > 0) {
    throw AppError.validation(
      `The input of inventory.reserve is invalid: ${errors.map((e) => e.path).join(', ')}`,
      errors,
    );
  }
}

async function insufficientStock(
  tx: Database,
  itemCount: number,
  short: { index: number; item: ReservationItem }[],
): Promise<AppError> {
  const rows = await tx
    .select({ productId: stock.productId, available: stock.available })
    .from(stock)
    .where(
      inArray(
        stock.productId,
        short.map(({ item }) => item.productId),
      ),
    );
  const available = new Map(rows.map((row) => [row.productId, row.available]));
  const errors = short
    .sort((a, b) => a.index - b.index)
    .map(({ index, item }): FieldError => {
      const units = available.get(item.productId) ?? 0;
      return {
        path: `items.${index}.quantity`,
        message: `Only ${units} ${units === 1 ? 'unit is' : 'units are'} available of product ${item.productId}; ${item.quantity} requested`,
        code: 'insufficient_stock',
      };
    });
  return new AppError({
    status: 409,
    code: 'inventory.insufficient-stock',
    title: 'Insufficient stock',
    detail: `Not enough stock for ${short.length} of ${itemCount} item(s); nothing was reserved`,
    errors,
  });
}
