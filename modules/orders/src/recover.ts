// Recovery: finishing checkouts whose request died half-way (a crash, a lost
// connection to a dependency). A pending order nobody moved forward for the saga
// timeout is taken over — its lease renewed under FOR UPDATE SKIP LOCKED, so two
// replicas never take the same order — and resumed from its last durable step,
// as payments knows it: charged → settle (captured: commit and confirm, or
// refund if the stock is gone; declined: release and fail); never charged →
// reserve (again: idempotent), charge the order's card token, settle — unless
// the checkout deadline passed, then release and fail as `deadline_passed`.
// See docs/modules/orders.md for the states.
import { isAppError, type CallOptions } from '@seam/platform';
import { and, asc, eq, inArray, isNull, lt } from 'drizzle-orm';
import type { OrdersDeps } from './deps.js';
import { advanceOrder, releaseStock, settlePayment } from './saga.js';
import { idempotencyKeys, orders, type OrderRow } from './schema.js';
import { finishOrder, type Finished } from './transitions.js';

/** RECOVERY_BATCH bounds how many orders one pass takes over. */
const RECOVERY_BATCH = 20;

export interface RecoveryReport {
  /** finished lists the orders this pass ended, with their final status. */
  finished: { orderId: string; status: string }[];
  /** stillPending lists orders whose settling failed (a dependency down); retried later. */
  stillPending: string[];
  /** releasedKeys counts abandoned in-flight keys forgotten so clients can retry. */
  releasedKeys: number;
}

/**
 * recoverStalledOrders runs one recovery pass.
 *
 * @example
 * const report = await recoverStalledOrders(deps);
 * // report.finished: [{ orderId, status: 'failed' }]
 */
export async function recoverStalledOrders(
  deps: OrdersDeps,
  now = new Date(),
): Promise<RecoveryReport> {
  const releasedKeys = await forgetAbandonedKeys(deps, now);
  const taken = await takeOverStalled(deps, new Date(now.getTime() - deps.sagaTimeoutMs));
  const report: RecoveryReport = { finished: [], stillPending: [], releasedKeys };
  for (const order of taken) {
    try {
      const { order: finished } = await resolveStalled(deps, order, now);
      report.finished.push({ orderId: finished.id, status: finished.status });
      deps.log.info(
        { orderId: order.id, status: finished.status, reason: finished.failureReason },
        'recovered a stalled checkout',
      );
    } catch (error) {
      report.stillPending.push(order.id);
      deps.log.warn(
        { orderId: order.id, err: isAppError(error) ? error.detail : error },
        'could not recover a stalled checkout yet; will retry',
      );
    }
  }
  return report;
}

/**
 * resolveStalled resumes one taken-over order from its last durable step: a
 * payment settles it; without one it runs the rest of the saga (reserve and
 * charge are idempotent per order, so what the dead request did is reused) —
 * or, once the order is older than the checkout deadline, releases its stock
 * and fails it as `deadline_passed`. A charged order is settled whatever its
 * age: the shopper paid, so confirming beats refunding.
 */
export async function resolveStalled(
  deps: OrdersDeps,
  order: OrderRow,
  now = new Date(),
): Promise<Finished> {
  const options: CallOptions = {};
  let payment;
  try {
    payment = await deps.payments.getPayment({ orderId: order.id }, options);
  } catch (error) {
    if (!(isAppError(error) && error.status === 404)) throw error;
    payment = undefined;
  }
  if (payment) return settlePayment(deps, order.id, payment, options);
  if (now.getTime() - order.createdAt.getTime() > deps.checkoutDeadlineMs) {
    await releaseStock(deps, order.id, options);
    return finishOrder(deps, order.id, { status: 'failed', reason: 'deadline_passed' });
  }
  return advanceOrder(deps, order, options);
}

/**
 * takeOverStalled renews the lease of pending orders untouched since `cutoff`
 * and returns them. SKIP LOCKED lets replicas share the work without waiting;
 * the new `updated_at` makes a still-running request notice it lost the order.
 */
async function takeOverStalled(deps: OrdersDeps, cutoff: Date): Promise<OrderRow[]> {
  return deps.db.transaction(async (tx) => {
    const stalled = await tx
      .select({ id: orders.id })
      .from(orders)
      .where(and(eq(orders.status, 'pending'), lt(orders.updatedAt, cutoff)))
      .orderBy(asc(orders.updatedAt))
      .limit(RECOVERY_BATCH)
      .for('update', { skipLocked: true });
    if (stalled.length === 0) return [];
    return tx
      .update(orders)
      .set({ updatedAt: new Date() })
      .where(
        inArray(
          orders.id,
          stalled.map((row) => row.id),
        ),
      )
      .returning();
  });
}

/**
 * forgetAbandonedKeys deletes in-flight keys that never got an order and are
 * older than any request could run (the saga timeout, and three call timeouts),
 * and completed keys past their expiry. A request that still runs cannot place its order
 * afterwards (placeOrder checks the link), so no order is ever created twice.
 */
async function forgetAbandonedKeys(deps: OrdersDeps, now: Date): Promise<number> {
  const horizon = Math.max(deps.sagaTimeoutMs, 3 * deps.callTimeoutMs);
  const abandoned = await deps.db
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.status, 'in_flight'),
        isNull(idempotencyKeys.orderId),
        lt(idempotencyKeys.createdAt, new Date(now.getTime() - horizon)),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  await deps.db
    .delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.status, 'completed'), lt(idempotencyKeys.expiresAt, now)));
  return abandoned.length;
}
