// The state changes of an order after it is placed: moving the saga's lease
// forward, and finishing it (confirmed or failed) together with its event and
// the stored response of the checkout request — one transaction each.
import { OrderConfirmed, OrderFailed, type Order } from '@seam/orders-contract';
import type { Database } from '@seam/platform';
import { and, eq } from 'drizzle-orm';
import type { OrdersDeps } from './deps.js';
import { completeKeysOfOrder, storedResponseOfOrder, type StoredResponse } from './idempotency.js';
import { toOrder } from './order-row.js';
import { orders, type FailureReason } from './schema.js';

/** Outcome is how a pending order ends. */
export type Outcome = { status: 'confirmed' } | { status: 'failed'; reason: FailureReason };

/** Finished is an order that is no longer pending, with the checkout response it stands for. */
export interface Finished {
  order: Order;
  response: StoredResponse;
}

/**
 * touchOrder moves the lease of a pending order forward, but only if `held` is
 * still its `updated_at` — i.e. nobody (recovery, another replica) took it over
 * since. Returns the new lease, or undefined when the order was taken or finished.
 */
export async function touchOrder(
  db: Database,
  orderId: string,
  held: Date,
): Promise<Date | undefined> {
  const next = new Date(Math.max(Date.now(), held.getTime() + 1));
  const [row] = await db
    .update(orders)
    .set({ updatedAt: next })
    .where(and(eq(orders.id, orderId), eq(orders.status, 'pending'), eq(orders.updatedAt, held)))
    .returning({ updatedAt: orders.updatedAt });
  return row?.updatedAt;
}

/**
 * finishOrder ends a pending order: the status change, its event (OrderConfirmed
 * or OrderFailed) and the completion of the checkout's idempotency record commit
 * together. When the order had already ended (recovery and a slow request racing)
 * nothing changes and the order is returned as it is.
 */
export async function finishOrder(
  deps: Pick<OrdersDeps, 'db' | 'events'>,
  orderId: string,
  outcome: Outcome,
): Promise<Finished> {
  return deps.db.transaction(async (tx) => {
    const changes =
      outcome.status === 'confirmed'
        ? { status: 'confirmed' as const, updatedAt: new Date() }
        : { status: 'failed' as const, failureReason: outcome.reason, updatedAt: new Date() };
    const [row] = await tx
      .update(orders)
      .set(changes)
      .where(and(eq(orders.id, orderId), eq(orders.status, 'pending')))
      .returning();
    if (!row) return currentState(tx, orderId);
    const order = toOrder(row);
    const ref = { orderId: order.id, userId: order.userId };
    if (outcome.status === 'confirmed') {
      const itemCount = order.items.reduce((sum, item) => sum + item.quantity, 0);
      await deps.events.publish(tx, OrderConfirmed, { ...ref, total: order.total, itemCount });
    } else {
      await deps.events.publish(tx, OrderFailed, { ...ref, reason: outcome.reason });
    }
    const created = { status: 201, body: order };
    return { order, response: (await completeKeysOfOrder(tx, order.id, created)) ?? created };
  });
}

/** currentState reads an order and the response its checkout request completed with. */
export async function currentState(db: Database, orderId: string): Promise<Finished> {
  const [row] = await db.select().from(orders).where(eq(orders.id, orderId));
  if (!row) throw new Error(`Order ${orderId} vanished`);
  const order = toOrder(row);
  return {
    order,
    response: (await storedResponseOfOrder(db, orderId)) ?? { status: 201, body: order },
  };
}
