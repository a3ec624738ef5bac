// The inventory's tables, all in its own Postgres schema `inventory`. drizzle-kit
// reads this file to generate ../migrations. Product and order ids belong to
// other modules: they are plain uuids here, never foreign keys.
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/** inventorySchema is the Postgres schema the inventory owns; nothing else writes to it. */
export const inventorySchema = pgSchema('inventory');

/** RESERVATION_STATUSES are the states of a reservation: reserved → committed | released. */
export const RESERVATION_STATUSES = ['reserved', 'committed', 'released'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/**
 * stock holds, per product, the units free to reserve and the units held by
 * open reservations. The checks are the last line of defence: no code path may
 * take either below zero.
 */
export const stock = inventorySchema.table(
  'stock',
  {
    productId: uuid('product_id').primaryKey(),
    available: integer('available').notNull(),
    reserved: integer('reserved').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    check('stock_available_check', sql`${table.available} >= 0`),
    check('stock_reserved_check', sql`${table.reserved} >= 0`),
  ],
);

/** reservations holds one row per order that ever reserved stock successfully. */
export const reservations = inventorySchema.table(
  'reservations',
  {
    orderId: uuid('order_id').primaryKey(),
    status: text('status', { enum: RESERVATION_STATUSES }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    check(
      'reservations_status_check',
      sql`${table.status} in ('reserved', 'committed', 'released')`,
    ),
    // The sweeper only ever looks for open reservations past their expiry.
    index('reservations_open_expires_at_idx')
      .on(table.expiresAt)
      .where(sql`${table.status} = 'reserved'`),
  ],
);

/** reservationItems lists the units one reservation holds, one row per product. */
export const reservationItems = inventorySchema.table(
  'reservation_items',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => reservations.orderId, { onDelete: 'cascade' }),
    productId: uuid('product_id').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (table) => [
    primaryKey({ name: 'reservation_items_pkey', columns: [table.orderId, table.productId] }),
    check('reservation_items_quantity_check', sql`${table.quantity} > 0`),
  ],
);

export type StockRow = typeof stock.$inferSelect;
export type ReservationRow = typeof reservations.$inferSelect;
