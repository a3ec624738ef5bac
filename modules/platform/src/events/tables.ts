// The platform-owned event tables inside each module's own schema: the outbox
// (events the module published), its deliveries (one row per subscriber, the
// retry state) and the inbox (event ids the module has consumed).
import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  jsonb,
  pgSchema,
  text,
  timestamp,
  uuid,
  unique,
} from 'drizzle-orm/pg-core';
import type { Database } from '../database.js';

/** eventTables gives the drizzle tables of one module's schema. */
export function eventTables(schema: string) {
  const s = pgSchema(schema);
  const outbox = s.table('__outbox', {
    id: uuid('id').primaryKey(),
    type: text('type').notNull(),
    version: integer('version').notNull(),
    payload: jsonb('payload').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
  });
  const deliveries = s.table(
    '__deliveries',
    {
      id: uuid('id').primaryKey(),
      eventId: uuid('event_id').notNull(),
      subscriber: text('subscriber').notNull(),
      status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
      attempts: integer('attempts').notNull(),
      nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull(),
      leaseUntil: timestamp('lease_until', { withTimezone: true, precision: 3 }),
      lastError: text('last_error'),
      deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3 }),
    },
    (t) => [unique().on(t.eventId, t.subscriber), index().on(t.status, t.nextAttemptAt)],
  );
  const inbox = s.table('__inbox', {
    eventId: uuid('event_id').primaryKey(),
    type: text('type').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true, precision: 3 }).notNull(),
  });
  return { outbox, deliveries, inbox };
}

export type EventTables = ReturnType<typeof eventTables>;

/** ensureEventTables creates the tables if missing; it runs after the module's migrations. */
export async function ensureEventTables(db: Database, schema: string): Promise<void> {
  const s = sql.identifier(schema);
  const statements = [
    sql`create schema if not exists ${s}`,
    sql`create table if not exists ${s}."__outbox" (
      id uuid primary key,
      type text not null,
      version integer not null,
      payload jsonb not null,
      occurred_at timestamptz(3) not null
    )`,
    sql`create table if not exists ${s}."__deliveries" (
      id uuid primary key,
      event_id uuid not null,
      subscriber text not null,
      status text not null check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz(3) not null,
      lease_until timestamptz(3),
      last_error text,
      delivered_at timestamptz(3),
      unique (event_id, subscriber)
    )`,
    sql`create index if not exists "__deliveries_due" on ${s}."__deliveries" (status, next_attempt_at)`,
    sql`create table if not exists ${s}."__inbox" (
      event_id uuid primary key,
      type text not null,
      received_at timestamptz(3) not null
    )`,
  ];
  for (const statement of statements) await db.execute(statement);
}
