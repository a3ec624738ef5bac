// The checkout saga's steps after pricing (price-order.ts), in order: swap
// the card for a payments token, place the order (pending, with the token),
// reserve stock, charge the token, then settle — commit the stock and confirm,
// or compensate (release, refund) and fail. Recovery resumes an order whose
// request died half-way with the same `advanceOrder` / `settlePayment`.
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
 * tokenizeCard hands the shopper's card to payments for a token before the
 * order exists, so the order never holds the number yet can be charged by
 * whoever finishes it. A card payments rejects is 400 `orders.invalid-card`.
 */
export async function tokenizeCard(
  deps: Pick<OrdersDeps, 'payments'>,
  userId: string,
  card: string,
  options: CallOptions,
): Promise<string> {
  try {
    const { token } = await deps.payments.tokenizeCard({ userId, card: { number: card } }, options);
    return token;
  } catch (error) {
    if (!(isAppError(error) && error.code === 'payments.invalid-card')) throw error;
    throw new AppError({
      status: 400,
      code: 'orders.invalid-card',
      title: 'Invalid card',
      detail: error.detail,
      errors: (error.errors ?? []).map((field) => ({ ...field, path: 'paymentMethod.card' })),
    });
  }
}

/**
 * placeOrder inserts the order as `pending`, with the token that pays for it,
 * and links the checkout's idempotency record to it in the same transaction. If the record is gone
 * (recovery cleared a request that ran far too long), nothing is inserted.
 */
export async function placeOrder(
  deps: Pick<OrdersDeps, 'db'>,
  ref: KeyRef,
  priced: Priced,
  shippingAddress: Order['shippingAddress'],
  paymentToken: string,
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
        paymentToken,
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
 * advanceOrder runs the saga of a placed order from wherever it stands: reserve,
 * charge with the order's card token, settle. The request runs it first;
 * recovery runs it again after a crash — every step is idempotent per order, so
 * a repeat picks up the reservation or payment made before. A reservation
 * refused for stock fails the order `out_of_stock`, one released meanwhile
 * (expired) `reservation_expired`; any other error leaves it pending for
 * recovery. Before charging it renews the lease, so recovery never decides
 * "never charged" while a charge is under way.
 */
export async function advanceOrder(
  deps: OrdersDeps,
  order: OrderRow,
  options: CallOptions,
): Promise<Finished> {
  const orderId = order.id;
  if (order.paymentToken === null) {
    // Placed before orders kept a card token: nothing can pay for it any more.
    await releaseStock(deps, orderId, options);
    return finishOrder(deps, orderId, { status: 'failed', reason: 'interrupted' });
  }
  try {
    await deps.inventory.reserve(
      { orderId, items: order.items.map(({ productId, quantity }) => ({ productId, quantity })) },
      options,
    );
  } catch (error) {
    if (isAppError(error) && error.status === 409) {
      const reason =
        error.code === 'inventory.reservation-released' ? 'reservation_expired' : 'out_of_stock';
      return finishOrder(deps, orderId, { status: 'failed', reason });
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
      card: { token: order.paymentToken },
    },
    options,
  );
  deps.crashAfter('charge');
  return settlePayment(deps, orderId, payment, options);
}

/**
 * settlePayment ends an order whose payment is known. Captured: commit the
 * stock and confirm, or, if the reservation was released or expired meanwhile,
 * refund and fail `reservation_expired`. Declined: release and fail with the
 * decline reason. Refunded (by someone else, before the order ended): release
 * and fail as `interrupted`. Every call is idempotent, so a repeat after a
 * crash converges on the same end.
 */
export async function settlePayment(
  deps: OrdersDeps,
  orderId: string,
  payment: Payment,
  options: CallOptions,
): Promise<Finished> {
  switch (payment.status) {
    case 'refunded':
      await releaseStock(deps, orderId, options);
      return finishOrder(deps, orderId, { status: 'failed', reason: 'interrupted' });
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
      return finishOrder(deps, orderId, { status: 'failed', reason: 'reservation_expired' });
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
