// The users module's tables, all in the `users` Postgres schema. Nothing here is
// referenced by a foreign key from another module; others keep user ids only.
import { sql } from 'drizzle-orm';
import { check, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Role } from '@seam/platform';

export const usersSchema = pgSchema('users');

/** users holds one row per account. `email` is stored trimmed and lowercased. */
export const users = usersSchema.table(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull().unique('users_email_unique'),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<Role>().notNull().default('customer'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [check('users_role_check', sql`${table.role} in ('customer', 'admin')`)],
);

/**
 * signingKeys holds the generated Ed25519 token signing key(s) as JWKs, so a
 * restart or another replica on the same database signs with the same key.
 */
export const signingKeys = usersSchema.table('signing_keys', {
  kid: text('kid').primaryKey(),
  privateJwk: jsonb('private_jwk').$type<Record<string, unknown>>().notNull(),
  publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type UserRow = typeof users.$inferSelect;
