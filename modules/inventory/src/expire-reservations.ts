// Expiry: reservations still open after their `expires_at` give their units
// back. The sweep runs on a timer in every process hosting inventory; replicas
// share the work with FOR UPDATE SKIP LOCKED instead of queueing on each other.
import type { Database, Logger } from '@seam/platform';
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import { releaseShifts } from './release.js';
import { reservationItems, reservations } from './schema.js';
import { shiftStock } from './stock.js';

export interface SweepOptions {
  /** asOf is the instant to compare expiries with; default the database's now(). */
  asOf?: Date;
  /** batchSize is how many reservations one transaction releases. */
  batchSize?: number;
}

/**
 * releaseExpiredReservations releases every open reservation whose expiry has
 * passed and returns how many it released. Each batch is one transaction;
 * rows another replica is sweeping (or an order is committing) are skipped.
 *
 * @example
 * const released = await releaseExpiredReservations(db);
 */
export async function releaseExpiredReservations(
  db: Database,
  { asOf, batchSize = 100 }: SweepOptions = {},
): Promise<number> {
  const cutoff = asOf ? sql`${asOf.toISOString()}::timestamptz` : sql`now()`;
  let total = 0;
  for (;;) {
    const released = await db.transaction(async (tx) => {
      const due = await tx
        .select({ orderId: reservations.orderId })
        .from(reservations)
        .where(and(eq(reservations.status, 'reserved'), lte(reservations.expiresAt, cutoff)))
        .orderBy(asc(reservations.expiresAt))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      if (due.length === 0) return 0;
      const orderIds = due.map((row) => row.orderId);
      const totals = await tx
        .select({
          productId: reservationItems.productId,
          quantity: sql`sum(${reservationItems.quantity})`.mapWith(Number),
        })
        .from(reservationItems)
        .where(inArray(reservationItems.orderId, orderIds))
        .groupBy(reservationItems.productId);
      await shiftStock(tx, releaseShifts(totals, 'reserved'));
      await tx
        .update(reservations)
        .set({ status: 'released', updatedAt: sql`now()` })
        .where(inArray(reservations.orderId, orderIds));
      return orderIds.length;
    });
    total += released;
    if (released < batchSize) return total;
  }
}

export interface Sweeper {
  /** stop clears the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

/**
 * startSweeper runs releaseExpiredReservations every `intervalMs`, one sweep
 * at a time. The timer is unref'd: it never keeps a process alive.
 */
export function startSweeper(db: Database, log: Logger, intervalMs: number): Sweeper {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = releaseExpiredReservations(db)
      .then((released) => {
        if (released > 0) log.info({ released }, 'released expired reservations');
      })
      .catch((err: unknown) => log.error({ err }, 'releasing expired reservations failed'))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
