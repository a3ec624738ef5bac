// Reading orders by id: GET /{id} for the shopper (or an admin) and the getOrder
// operation other modules call.
import type { Order } from '@seam/orders-contract';
import { AppError, type AuthUser, type Database } from '@seam/platform';
import { eq } from 'drizzle-orm';
import { toOrder } from './order-row.js';
import { orders } from './schema.js';

/** getOrder returns any order by id; an unknown id is 404 `orders.order-not-found`. */
export async function getOrder(db: Database, id: string): Promise<Order> {
  const [row] = await db.select().from(orders).where(eq(orders.id, id)).limit(1);
  if (!row) throw notFound(id);
  return toOrder(row);
}

/**
 * getOrderOf returns an order the caller may see: their own, or any for an
 * admin. Someone else's order is the same 404 as a missing one, so ids leak nothing.
 */
export async function getOrderOf(db: Database, caller: AuthUser, id: string): Promise<Order> {
  const order = await getOrder(db, id);
  if (order.userId !== caller.id && caller.role !== 'admin') throw notFound(id);
  return order;
}

function notFound(id: string): AppError {
  return AppError.notFound(`Order ${id} does not exist`, 'orders.order-not-found');
}
