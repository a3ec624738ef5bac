// Reading payments.payments rows and rendering them as the contract's Payment.
import { AppError, type Database } from '@seam/platform';
import type { Payment } from '@seam/payments-contract';
import { eq } from 'drizzle-orm';
import { payments, type PaymentRow } from './schema.js';

/** findPayment returns the payment row of an order, or undefined. */
export async function findPayment(db: Database, orderId: string): Promise<PaymentRow | undefined> {
  const [row] = await db.select().from(payments).where(eq(payments.orderId, orderId)).limit(1);
  return row;
}

/** toPayment renders a row as the JSON-shaped Payment of the contract. */
export function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    orderId: row.orderId,
    userId: row.userId,
    amount: { amount: row.amount, currency: row.currency },
    status: row.status,
    declineReason: row.declineReason,
    cardLast4: row.cardLast4,
    createdAt: row.createdAt.toISOString(),
    refundedAt: row.refundedAt?.toISOString() ?? null,
  };
}

/** paymentNotFound is the 404 for an order without a payment (or not the caller's). */
export function paymentNotFound(orderId: string): AppError {
  return AppError.notFound(`Order ${orderId} has no payment`, 'payments.payment-not-found');
}
