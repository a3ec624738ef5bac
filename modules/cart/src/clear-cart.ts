// Emptying a cart once its order is confirmed (orders.OrderConfirmed).
import { OrderConfirmed } from '@seam/orders-contract';
import { on, type Database } from '@seam/platform';
import { and, eq, lte } from 'drizzle-orm';
import { cartItems } from './schema.js';

/**
 * clearCart removes the lines of `userId` last changed at or before `until`.
 * Lines added or changed after the order was confirmed stay: delivery is
 * at-least-once and may come late (a consumer that was down), and must not
 * empty a cart the shopper has filled again since.
 */
export async function clearCart(tx: Database, userId: string, until: Date): Promise<number> {
  const removed = await tx
    .delete(cartItems)
    .where(and(eq(cartItems.userId, userId), lte(cartItems.updatedAt, until)))
    .returning({ productId: cartItems.productId });
  return removed.length;
}

/** clearCartOnOrderConfirmed empties the buyer's cart in the handler's transaction (inbox). */
export const clearCartOnOrderConfirmed = on(OrderConfirmed, async (event, { tx }) => {
  await clearCart(tx, event.payload.userId, new Date(event.occurredAt));
});
