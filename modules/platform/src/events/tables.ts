// The platform-owned event tables inside each module's own schema: the outbox
// (events the module published), its deliveries (one row per subscriber, the
// retry state), the inbox (event ids the module has consumed) and the parked
// events (taken from the broker, failed for good, waiting for an admin's retry).
// An outbox row keeps the publisher's W3C `traceparent`, so its deliveries
// continue that trace.
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
    traceparent: text('traceparent'),
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
  // With the NATS transport a subscriber, not the publisher, keeps the retry state
  // of what it failed to handle: the broker's message is acked once parked here.
  const parked = s.table(
    '__parked',
    {
      id: uuid('id').primaryKey(),
      eventId: uuid('event_id').notNull().unique(),
      source: text('source').notNull(),
      type: text('type').notNull(),
      version: integer('version').notNull(),
      payload: jsonb('payload').notNull(),
      occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
      traceparent: text('traceparent'),
      status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
      attempts: integer('attempts').notNull(),
      nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull(),
      lastError: text('last_error'),
      deliveredAt: timestamp('delivered_at', { withTimezone: true, precision: 3 }),
    },
    (t) => [index().on(t.status, t.nextAttemptAt)],
  );
  return { outbox, deliveries, inbox, parked };
}

export type EventTables = ReturnType<typeof eventTables>;

/**
 * ensureEventTables creates the tables if missing and adds the columns later
 * versions introduced; it runs after the module's migrations, on every start.
 */
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
    sql`alter table ${s}."__outbox" add column if not exists traceparent text`,
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
    sql`create table if not exists ${s}."__parked" (
      id uuid primary key,
      event_id uuid not null unique,
      source text not null,
      type text not null,
      version integer not null,
      payload jsonb not null,
      occurred_at timestamptz(3) not null,
      traceparent text,
      status text not null check (status in ('pending', 'delivered', 'failed')),
      attempts integer not null default 0,
      next_attempt_at timestamptz(3) not null,
      last_error text,
      delivered_at timestamptz(3)
    )`,
    sql`create index if not exists "__parked_due" on ${s}."__parked" (status, next_attempt_at)`,
  ];
  for (const statement of statements) await db.execute(statement);
}
