// POST /{id}/cancel — cancelling a confirmed order: refund the payment, return
// the stock, then mark it cancelled and publish OrderCancelled in one
// transaction. Refund and release are idempotent, so a cancel interrupted
// half-way is completed by simply cancelling again.
import { OrderCancelled, type Order } from '@seam/orders-contract';
import { AppError, type AuthUser, type CallOptions } from '@seam/platform';
import { and, eq } from 'drizzle-orm';
import type { OrdersDeps } from './deps.js';
import { getOrder, getOrderOf } from './get-order.js';
import { toOrder } from './order-row.js';
import { releaseStock } from './saga.js';
import { orders } from './schema.js';

/**
 * cancelOrder cancels the caller's confirmed order (an admin may cancel any).
 * A cancelled order is returned unchanged; a pending or failed one is 409
 * `orders.not-cancellable`.
 */
export async function cancelOrder(
  deps: OrdersDeps,
  caller: AuthUser,
  id: string,
  options: CallOptions,
): Promise<Order> {
  const order = await getOrderOf(deps.db, caller, id);
  switch (order.status) {
    case 'cancelled':
      return order;
    case 'pending':
    case 'failed':
      throw AppError.conflict(
        `Order ${id} is ${order.status}; only a confirmed order can be cancelled`,
        'orders.not-cancellable',
      );
    case 'confirmed':
      break;
    default: {
      const unexpected: never = order.status;
      throw new Error(`Unknown order status ${String(unexpected)}`);
    }
  }
  await deps.payments.refund({ orderId: id }, options);
  await releaseStock(deps, id, options);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(orders)
      .set({ status: 'cancelled', updatedAt: new Date() })
      .where(and(eq(orders.id, id), eq(orders.status, 'confirmed')))
      .returning();
    // A concurrent cancel got there first: it published the event; answer with its result.
    if (!row) return getOrder(tx, id);
    const cancelled = toOrder(row);
    await deps.events.publish(tx, OrderCancelled, {
      orderId: cancelled.id,
      userId: cancelled.userId,
      total: cancelled.total,
    });
    return cancelled;
  });
}
