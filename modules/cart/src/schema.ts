// The cart's tables, all in its own Postgres schema `cart`. drizzle-kit reads
// this file to generate ../migrations.
import { sql } from 'drizzle-orm';
import { check, integer, pgSchema, primaryKey, timestamp, uuid } from 'drizzle-orm/pg-core';

/** cartSchema is the Postgres schema the cart owns; nothing else writes to it. */
export const cartSchema = pgSchema('cart');

/** MAX_QUANTITY is the most of one product a cart line may hold. */
export const MAX_QUANTITY = 99;

/**
 * cartItems holds one line per user and product: ids and a quantity only.
 * Names and prices are read from the catalog on every read, so a cart always
 * shows current prices. `user_id` and `product_id` are plain ids of the users
 * and catalog modules: no foreign keys across modules.
 */
export const cartItems = cartSchema.table(
  'cart_items',
  {
    userId: uuid('user_id').notNull(),
    productId: uuid('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ name: 'cart_items_pkey', columns: [table.userId, table.productId] }),
    check(
      'cart_items_quantity_check',
      sql`${table.quantity} between 1 and ${sql.raw(String(MAX_QUANTITY))}`,
    ),
  ],
);

/** CartItemRow is one row of cart.cart_items as drizzle returns it. */
export type CartItemRow = typeof cartItems.$inferSelect;
