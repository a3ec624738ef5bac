// The charge operation: charges a card for an order, once per order.
import { AppError, type Database, type Logger, type OperationInput } from '@seam/platform';
import type { Payment, PaymentsContract } from '@seam/payments-contract';
import { checkCard } from './card.js';
import { cardOfToken } from './tokenize-card.js';
import { findPayment, toPayment } from './payment-row.js';
import { payments } from './schema.js';

export type ChargeInput = OperationInput<PaymentsContract['operations']['charge']>;

/**
 * charge charges `card` — a number, or a token from tokenizeCard — for an
 * order and records the outcome: captured or declined; a decline is a payment,
 * not an error. It is idempotent per order: the insert does nothing when the
 * order already has a payment (the unique `order_id` decides, so two racing
 * charges write one row) and the first payment is returned. A repeat naming another user or amount is a 409
 * `payments.order-already-charged`; the card of a repeat is checked but not
 * compared, as only its last four digits were kept. A token pays for one order
 * only (see cardOfToken).
 *
 * @example
 * const payment = await charge(db, log, {
 *   orderId, userId, amount: { amount: 24900, currency: 'EUR' },
 *   card: { number: '4242 4242 4242 4242' },
 * });
 */
export async function charge(db: Database, log: Logger, input: ChargeInput): Promise<Payment> {
  const card =
    'token' in input.card
      ? await cardOfToken(db, input.card.token, input.userId, input.orderId)
      : checkCard(input.card.number);
  if (input.amount.amount <= 0) {
    throw AppError.validation('The input of payments.charge is invalid: amount.amount', [
      { path: 'amount.amount', message: 'Too small: expected number to be >0', code: 'too_small' },
    ]);
  }
  const [created] = await db
    .insert(payments)
    .values({
      orderId: input.orderId,
      userId: input.userId,
      amount: input.amount.amount,
      currency: input.amount.currency,
      status: card.outcome.status,
      declineReason: card.outcome.declineReason,
      cardLast4: card.last4,
    })
    .onConflictDoNothing({ target: payments.orderId })
    .returning();
  if (created) {
    // Never the input: it holds the full card number.
    log.info(
      {
        paymentId: created.id,
        orderId: created.orderId,
        status: created.status,
        declineReason: created.declineReason,
        cardLast4: created.cardLast4,
      },
      'card charged',
    );
    return toPayment(created);
  }

  const existing = await findPayment(db, input.orderId);
  // The conflicting row is committed (ON CONFLICT waited for it) and payments
  // are never deleted, so it is there.
  if (!existing) throw AppError.internal(`Order ${input.orderId} conflicted but has no payment`);
  if (
    existing.userId !== input.userId ||
    existing.amount !== input.amount.amount ||
    existing.currency !== input.amount.currency
  ) {
    throw AppError.conflict(
      `Order ${input.orderId} was already charged for another user or amount`,
      'payments.order-already-charged',
    );
  }
  return toPayment(existing);
}
