// What the metrics read of the outboxes at scrape time: pending and failed
// deliveries per publishing module and subscriber, and the age of the oldest
// pending one — one statement over every hosted module's tables, answered from
// the (status, next_attempt_at) index.
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../database.js';

/** OutboxStat is one publisher → subscriber pair with undelivered deliveries. */
export interface OutboxStat {
  module: string;
  subscriber: string;
  pending: number;
  failed: number;
  /** oldestPendingSeconds is how long the oldest pending event has waited; 0 when none. */
  oldestPendingSeconds: number;
}

/**
 * outboxStats reads the outboxes of `modules` in one round trip.
 *
 * @example
 * const stats = await outboxStats(db, ['orders', 'cart']);
 * // [{ module: 'orders', subscriber: 'notifications', pending: 2, failed: 0, oldestPendingSeconds: 0.4 }]
 */
export async function outboxStats(db: Database, modules: readonly string[]): Promise<OutboxStat[]> {
  if (modules.length === 0) return [];
  const parts: SQL[] = modules.map((module) => {
    const schema = sql.identifier(module);
    return sql`select ${module}::text as module, d.subscriber,
        count(*) filter (where d.status = 'pending')::int as pending,
        count(*) filter (where d.status = 'failed')::int as failed,
        coalesce(extract(epoch from now() - min(o.occurred_at) filter (where d.status = 'pending')), 0)::float8 as oldest
      from ${schema}."__deliveries" d join ${schema}."__outbox" o on o.id = d.event_id
      where d.status in ('pending', 'failed')
      group by d.subscriber`;
  });
  const result = await db.execute(sql.join(parts, sql` union all `));
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    module: string;
    subscriber: string;
    pending: number;
    failed: number;
    oldest: number;
  }[];
  return rows.map((row) => ({
    module: row.module,
    subscriber: row.subscriber,
    pending: Number(row.pending),
    failed: Number(row.failed),
    oldestPendingSeconds: Math.max(0, Number(row.oldest)),
  }));
}
