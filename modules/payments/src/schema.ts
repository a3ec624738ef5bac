// The payments module's table, in its own Postgres schema `payments`. drizzle-kit
// reads this file to generate ../migrations. A card number is never stored:
// only its last four digits (a payment, a card token).
import { sql } from 'drizzle-orm';
import { bigint, char, check, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** paymentsSchema is the Postgres schema the payments module owns. */
export const paymentsSchema = pgSchema('payments');

export const PAYMENT_STATUSES = ['captured', 'declined', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const DECLINE_REASONS = ['card_declined', 'insufficient_funds'] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/**
 * payments holds at most one payment per order (`order_id` is unique), which is
 * what makes `charge` idempotent. `order_id` and `user_id` are plain ids of
 * other modules' entities: no foreign keys.
 */
export const payments = paymentsSchema.table(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id').notNull().unique('payments_order_id_unique'),
    userId: uuid('user_id').notNull(),
    amount: bigint('amount', { mode: 'number' }).notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    status: text('status').$type<PaymentStatus>().notNull(),
    declineReason: text('decline_reason').$type<DeclineReason>(),
    cardLast4: char('card_last4', { length: 4 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    refundedAt: timestamp('refunded_at', { withTimezone: true, precision: 3 }),
  },
  (table) => [
    check('payments_amount_check', sql`${table.amount} > 0`),
    check('payments_currency_check', sql`${table.currency} ~ '^[A-Z]{3}$'`),
    check('payments_status_check', sql`${table.status} in ('captured', 'declined', 'refunded')`),
    check(
      'payments_decline_reason_check',
      sql`(${table.status} = 'declined') = (${table.declineReason} is not null) and (${table.declineReason} is null or ${table.declineReason} in ('card_declined', 'insufficient_funds'))`,
    ),
    check(
      'payments_refunded_at_check',
      sql`(${table.status} = 'refunded') = (${table.refundedAt} is not null)`,
    ),
    check('payments_card_last4_check', sql`${table.cardLast4} ~ '^[0-9]{4}$'`),
  ],
);

/** PaymentRow is one row of payments.payments as drizzle returns it. */
export type PaymentRow = typeof payments.$inferSelect;

/**
 * card_tokens is the simulated provider's vault: a token stands for a card a
 * shopper gave at checkout, so the charge can happen later (or be retried by
 * recovery) without the number. Like a real provider's vault it keeps what
 * charging needs — here, the simulated issuer's answer for the card — and never
 * the number itself. A token belongs to one user, expires, and pays for one
 * order only: the first charge binds it (`order_id`).
 */
export const cardTokens = paymentsSchema.table(
  'card_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    cardLast4: char('card_last4', { length: 4 }).notNull(),
    declineReason: text('decline_reason').$type<DeclineReason>(),
    orderId: uuid('order_id'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (table) => [
    check(
      'card_tokens_decline_reason_check',
      sql`${table.declineReason} is null or ${table.declineReason} in ('card_declined', 'insufficient_funds')`,
    ),
    check('card_tokens_card_last4_check', sql`${table.cardLast4} ~ '^[0-9]{4}$'`),
  ],
);

/** CardTokenRow is one row of payments.card_tokens. */
export type CardTokenRow = typeof cardTokens.$inferSelect;
