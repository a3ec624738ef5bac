// GET / — the caller's orders, newest first, keyset-paginated over
// (created_at, id) descending.
import type { OrderPageSchema } from '@seam/orders-contract';
import { type Database, type z, beyondCursor, keysetPage } from '@seam/platform';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { toOrder } from './order-row.js';
import { orders } from './schema.js';

export type OrderPage = z.output<typeof OrderPageSchema>;

/**
 * listOrders returns one page of a user's orders. The next page starts strictly
 * after (older than) the page's last order, so orders placed meanwhile never
 * shift a page or appear twice.
 */
export async function listOrders(
  db: Database,
  userId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<OrderPage> {
  const conditions: SQL[] = [eq(orders.userId, userId)];
  if (query.cursor) {
    conditions.push(
      beyondCursor(orders.createdAt, orders.id, query.cursor, 'desc', 'orders.invalid-cursor'),
    );
  }
  const rows = await db
    .select()
    .from(orders)
    .where(and(...conditions))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(query.limit + 1);
  const page = keysetPage(rows, query.limit);
  return { items: page.rows.map(toOrder), nextCursor: page.nextCursor };
}
