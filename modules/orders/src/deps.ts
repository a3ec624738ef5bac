// What the orders use cases need: the module's database and outbox, its logger,
// typed clients of the modules the saga calls, and the saga's settings.
import type { CartContract } from '@seam/cart-contract';
import type { CatalogContract } from '@seam/catalog-contract';
import type { InventoryContract } from '@seam/inventory-contract';
import type { PaymentsContract } from '@seam/payments-contract';
import type { Database, Events, Logger, ModuleClient } from '@seam/platform';
import type { CrashPoint, OrdersConfig } from './config.js';

export interface OrdersDeps {
  db: Database;
  events: Events;
  log: Logger;
  cart: ModuleClient<CartContract>;
  catalog: ModuleClient<CatalogContract>;
  inventory: ModuleClient<InventoryContract>;
  payments: ModuleClient<PaymentsContract>;
  /** sagaTimeoutMs: a pending order untouched for this long belongs to recovery. */
  sagaTimeoutMs: number;
  /** checkoutDeadlineMs: past this age an order never charged fails instead of resuming. */
  checkoutDeadlineMs: number;
  /** callTimeoutMs bounds one call to another module (SEAM_CALL_TIMEOUT_MS). */
  callTimeoutMs: number;
  /** crashAfter is the fault-injection point after each saga step; a no-op in production. */
  crashAfter(point: CrashPoint): void;
}

/**
 * crashHook honours SEAM_TEST_CRASH_AFTER: under NODE_ENV=test it SIGKILLs the
 * process right after the named step — no cleanup, no shutdown hooks, as a
 * power cut would. Anywhere else the variable is ignored with a warning.
 */
export function crashHook(config: OrdersConfig, log: Logger): (point: CrashPoint) => void {
  const target = config.SEAM_TEST_CRASH_AFTER;
  if (!target) return () => {};
  if (config.NODE_ENV !== 'test') {
    log.warn(
      { SEAM_TEST_CRASH_AFTER: target },
      'SEAM_TEST_CRASH_AFTER is ignored unless NODE_ENV=test',
    );
    return () => {};
  }
  return (point) => {
    if (point !== target) return;
    log.warn({ point }, 'SEAM_TEST_CRASH_AFTER: killing the process');
    process.kill(process.pid, 'SIGKILL');
  };
}
