// The catalog's tables, all in its own Postgres schema `catalog`. drizzle-kit
// reads this file to generate ../migrations.
import { sql } from 'drizzle-orm';
import { bigint, char, check, index, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** catalogSchema is the Postgres schema the catalog owns; nothing else writes to it. */
export const catalogSchema = pgSchema('catalog');

/**
 * products holds the catalog. Timestamps keep millisecond precision so that a
 * JavaScript Date (and therefore a pagination cursor) represents them exactly.
 */
export const products = catalogSchema.table(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sku: text('sku').notNull().unique('products_sku_unique'),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    priceAmount: bigint('price_amount', { mode: 'number' }).notNull(),
    priceCurrency: char('price_currency', { length: 3 }).notNull(),
    category: text('category').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('products_created_at_id_idx').on(table.createdAt, table.id),
    index('products_category_created_at_id_idx').on(table.category, table.createdAt, table.id),
    check('products_price_amount_check', sql`${table.priceAmount} >= 0`),
    check('products_price_currency_check', sql`${table.priceCurrency} ~ '^[A-Z]{3}$'`),
  ],
);

/** ProductRow is one row of catalog.products as drizzle returns it. */
export type ProductRow = typeof products.$inferSelect;
