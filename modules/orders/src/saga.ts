// The checkout saga's steps after pricing (price-order.ts), in order: place
// the order (pending), reserve stock, charge the card, then settle — commit the
// stock and confirm, or compensate (release, refund) and fail. Recovery reuses
// `settlePayment` for orders whose request died half-way.
import { randomUUID } from 'node:crypto';
import type { Order } from '@seam/orders-contract';
import type { Payment } from '@seam/payments-contract';
import { AppError, isAppError, type CallOptions } from '@seam/platform';
import type { OrdersDeps } from './deps.js';
import { linkOrder, type KeyRef } from './idempotency.js';
import type { Priced } from './price-order.js';
import { orders, type OrderRow } from './schema.js';
import { finishOrder, touchOrder, type Finished } from './transitions.js';

/**
 * placeOrder inserts the order as `pending` and links the checkout's
 * idempotency record to it in the same transaction. If the record is gone
 * (recovery cleared a request that ran far too long), nothing is inserted.
 */
export async function placeOrder(
  deps: Pick<OrdersDeps, 'db'>,
  ref: KeyRef,
  priced: Priced,
  shippingAddress: Order['shippingAddress'],
): Promise<OrderRow> {
  return deps.db.transaction(async (tx) => {
    const now = new Date();
    const [row] = await tx
      .insert(orders)
      .values({
        id: randomUUID(),
        userId: ref.userId,
        status: 'pending',
        items: priced.items,
        totalAmount: priced.total.amount,
        totalCurrency: priced.total.currency,
        shippingAddress,
        failureReason: null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!(await linkOrder(tx, ref, row!.id))) {
      throw AppError.unavailable(
        'The checkout took too long and was abandoned; nothing was charged — retry with the same Idempotency-Key',
        'orders.checkout-abandoned',
      );
    }
    return row!;
  });
}

/** LeaseLost: recovery (or another replica) took the order over while this request ran. */
export class LeaseLost extends Error {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} was taken over by recovery`);
  }
}

/**
 * advanceOrder runs the saga of a placed order: reserve, charge, settle. An out
 * of stock reservation fails the order; any other error leaves it pending for
 * recovery. Before charging it renews the lease, so recovery never decides
 * "never charged" while a charge is under way.
 */
export async function advanceOrder(
  deps: OrdersDeps,
  order: OrderRow,
  card: string,
  options: CallOptions,
): Promise<Finished> {
  const orderId = order.id;
  try {
    await deps.inventory.reserve(
      { orderId, items: order.items.map(({ productId, quantity }) => ({ productId, quantity })) },
      options,
    );
  } catch (error) {
    if (isAppError(error) && error.status === 409) {
      return finishOrder(deps, orderId, { status: 'failed', reason: 'out_of_stock' });
    }
    throw error;
  }
  deps.crashAfter('reserve');
  if (!(await touchOrder(deps.db, orderId, order.updatedAt))) throw new LeaseLost(orderId);
  const payment = await deps.payments.charge(
    {
      orderId,
      userId: order.userId,
      amount: { amount: order.totalAmount, currency: order.totalCurrency },
      card: { number: card },
    },
    options,
  );
  deps.crashAfter('charge');
  return settlePayment(deps, orderId, payment, options);
}

/**
 * settlePayment ends an order whose reservation may exist and whose payment is
 * known — `undefined` when it was never charged. Captured: commit the stock and
 * confirm, or, if the reservation was released or expired meanwhile, refund and
 * fail. Declined: release and fail with the decline reason. Never charged or
 * refunded: release and fail as `interrupted`. Every call is idempotent, so a
 * repeat after a crash converges on the same end.
 */
export async function settlePayment(
  deps: OrdersDeps,
  orderId: string,
  payment: Payment | undefined,
  options: CallOptions,
): Promise<Finished> {
  if (!payment || payment.status === 'refunded') {
    await releaseStock(deps, orderId, options);
    return finishOrder(deps, orderId, { status: 'failed', reason: 'interrupted' });
  }
  switch (payment.status) {
    case 'declined':
      await releaseStock(deps, orderId, options);
      return finishOrder(deps, orderId, {
        status: 'failed',
        reason: payment.declineReason ?? 'card_declined',
      });
    case 'captured': {
      const committed = await commitStock(deps, orderId, options);
      deps.crashAfter('commit');
      if (committed) return finishOrder(deps, orderId, { status: 'confirmed' });
      deps.log.warn({ orderId }, 'reservation gone after the charge; refunding');
      await deps.payments.refund({ orderId }, options);
      await releaseStock(deps, orderId, options);
      return finishOrder(deps, orderId, { status: 'failed', reason: 'interrupted' });
    }
    default: {
      const unexpected: never = payment.status;
      throw new Error(`Unknown payment status ${String(unexpected)}`);
    }
  }
}

/** releaseStock returns an order's units; no reservation (404) means nothing to return. */
export async function releaseStock(
  deps: Pick<OrdersDeps, 'inventory'>,
  orderId: string,
  options: CallOptions,
): Promise<void> {
  try {
    await deps.inventory.release({ orderId }, options);
  } catch (error) {
    if (isAppError(error) && error.status === 404) return;
    throw error;
  }
}

/** commitStock turns the reservation into a sale; false when it was released or expired. */
async function commitStock(
  deps: Pick<OrdersDeps, 'inventory'>,
  orderId: string,
  options: CallOptions,
): Promise<boolean> {
  try {
    const reservation = await deps.inventory.commit({ orderId }, options);
    return reservation.status === 'committed';
  } catch (error) {
    if (isAppError(error) && (error.status === 404 || error.status === 409)) return false;
    throw error;
  }
}
