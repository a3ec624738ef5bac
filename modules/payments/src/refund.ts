// The refund operation: gives back the captured payment of an order.
import { AppError, type Database } from '@seam/platform';
import type { Payment } from '@seam/payments-contract';
import { and, eq, sql } from 'drizzle-orm';
import { findPayment, paymentNotFound, toPayment } from './payment-row.js';
import { payments } from './schema.js';

/**
 * refund moves an order's captured payment to `refunded` in one conditional
 * update, so concurrent refunds refund once. A refunded payment is returned as
 * it is; a declined one is a 409 `payments.not-refundable` (nothing was taken);
 * an order without a payment is a 404 `payments.payment-not-found`.
 *
 * @example
 * const payment = await refund(db, orderId); // payment.status === 'refunded'
 */
export async function refund(db: Database, orderId: string): Promise<Payment> {
  const [refunded] = await db
    .update(payments)
    .set({ status: 'refunded', refundedAt: sql`now()` })
    .where(and(eq(payments.orderId, orderId), eq(payments.status, 'captured')))
    .returning();
  if (refunded) return toPayment(refunded);

  const existing = await findPayment(db, orderId);
  if (!existing) throw paymentNotFound(orderId);
  if (existing.status === 'declined') {
    throw AppError.conflict(
      `The payment of order ${orderId} was declined; there is nothing to refund`,
      'payments.not-refundable',
    );
  }
  return toPayment(existing);
}
