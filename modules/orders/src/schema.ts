// The orders module's tables, all in its own Postgres schema `orders`. drizzle-kit
// reads this file to generate ../migrations. Other modules' rows (users, products)
// are referred to by id only.
import type { Order } from '@seam/orders-contract';
import { sql } from 'drizzle-orm';
import {
  bigint,
  char,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** ordersSchema is the Postgres schema the orders module owns. */
export const ordersSchema = pgSchema('orders');

/** ORDER_FAILURE_REASONS are the values of orders.failure_reason. */
export type FailureReason = NonNullable<Order['failureReason']>;

/**
 * orders holds every checkout that got as far as pricing. `updated_at` doubles
 * as the saga's lease: whoever moves a pending order forward (the request or
 * recovery) bumps it, and recovery only takes orders nobody touched for
 * SEAM_SAGA_TIMEOUT_SECONDS; `created_at` starts the checkout deadline
 * (SEAM_CHECKOUT_DEADLINE_SECONDS). Timestamps keep millisecond precision so a
 * JavaScript Date (a cursor, a lease) represents them exactly.
 */
export const orders = ordersSchema.table(
  'orders',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id').notNull(),
    status: text('status', { enum: ['pending', 'confirmed', 'failed', 'cancelled'] }).notNull(),
    items: jsonb('items').$type<Order['items']>().notNull(),
    totalAmount: bigint('total_amount', { mode: 'number' }).notNull(),
    totalCurrency: char('total_currency', { length: 3 }).notNull(),
    shippingAddress: jsonb('shipping_address').$type<Order['shippingAddress']>().notNull(),
    failureReason: text('failure_reason', {
      enum: [
        'card_declined',
        'insufficient_funds',
        'out_of_stock',
        'reservation_expired',
        'deadline_passed',
        'interrupted',
      ],
    }),
    // The opaque token payments gave for the shopper's card (never the number):
    // what lets recovery charge after a crash. Null for orders placed before it.
    paymentToken: uuid('payment_token'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (table) => [
    // Keyset pagination of GET / (newest first); both columns descend so one
    // row comparison `(created_at, id) < (…)` walks the index.
    index('orders_user_created_at_id_idx').on(
      table.userId,
      table.createdAt.desc(),
      table.id.desc(),
    ),
    // Recovery scans only the (few) pending orders.
    index('orders_pending_updated_at_idx')
      .on(table.updatedAt)
      .where(sql`${table.status} = 'pending'`),
    check(
      'orders_status_check',
      sql`${table.status} in ('pending', 'confirmed', 'failed', 'cancelled')`,
    ),
    check('orders_total_amount_check', sql`${table.totalAmount} >= 0`),
    check(
      'orders_failure_reason_check',
      sql`(${table.status} = 'failed') = (${table.failureReason} is not null)`,
    ),
  ],
);

export type OrderRow = typeof orders.$inferSelect;

/**
 * idempotency_keys remembers each checkout request per (user, Idempotency-Key):
 * the hash of its body, whether it is still running, and the response it got.
 */
export const idempotencyKeys = ordersSchema.table(
  'idempotency_keys',
  {
    userId: uuid('user_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: text('status', { enum: ['in_flight', 'completed'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    orderId: uuid('order_id'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (table) => [
    primaryKey({ name: 'idempotency_keys_pk', columns: [table.userId, table.key] }),
    index('idempotency_keys_order_id_idx').on(table.orderId),
    index('idempotency_keys_expires_at_idx').on(table.expiresAt),
    check('idempotency_keys_status_check', sql`${table.status} in ('in_flight', 'completed')`),
    check(
      'idempotency_keys_response_check',
      sql`(${table.status} = 'completed') = (${table.responseStatus} is not null)`,
    ),
  ],
);

export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;
