// Mapping between orders.orders rows and the contract's Order.
import type { Order } from '@seam/orders-contract';
import type { OrderRow } from './schema.js';

/** toOrder renders a row as the JSON-shaped Order of the contract. */
export function toOrder(row: OrderRow): Order {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status,
    items: row.items,
    total: { amount: row.totalAmount, currency: row.totalCurrency },
    shippingAddress: row.shippingAddress,
    failureReason: row.failureReason,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
