// The notifications module's tables, all in its own Postgres schema
// `notifications`. drizzle-kit reads this file to generate ../migrations.
import { sql } from 'drizzle-orm';
import { check, index, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** notificationsSchema is the Postgres schema this module owns; nothing else writes to it. */
export const notificationsSchema = pgSchema('notifications');

/** NOTIFICATION_KINDS are the messages Seam records (the contract's `kind`). */
export const NOTIFICATION_KINDS = [
  'welcome',
  'order-confirmed',
  'order-failed',
  'order-cancelled',
] as const;

/**
 * notifications holds every message Seam would have sent, one row per message.
 * `user_id` and `order_id` are plain ids of the users and orders modules: no
 * foreign keys across modules. Timestamps keep millisecond precision.
 */
export const notifications = notificationsSchema.table(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull(),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    orderId: uuid('order_id'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('notifications_user_id_created_at_idx').on(table.userId, table.createdAt),
    check(
      'notifications_kind_check',
      sql`${table.kind} in (${sql.raw(NOTIFICATION_KINDS.map((kind) => `'${kind}'`).join(', '))})`,
    ),
  ],
);

/** NotificationRow is one row of notifications.notifications as drizzle returns it. */
export type NotificationRow = typeof notifications.$inferSelect;
