// Wiring: builds the orders use cases from the module context, binds them to the
// contract's routes and operation, and runs recovery on start and periodically.
import { cartContract } from '@seam/cart-contract';
import { catalogContract } from '@seam/catalog-contract';
import { inventoryContract } from '@seam/inventory-contract';
import { ordersContract } from '@seam/orders-contract';
import { paymentsContract } from '@seam/payments-contract';
import {
  AppError,
  PROBLEM_CONTENT_TYPE,
  type AuthUser,
  type ModuleContext,
  type ModuleImplementation,
} from '@seam/platform';
import { cancelOrder } from './cancel-order.js';
import { checkout } from './checkout.js';
import type { CrashPoint, OrdersConfig } from './config.js';
import { crashHook, type OrdersDeps } from './deps.js';
import { getOrder, getOrderOf } from './get-order.js';
import { listOrders } from './list-orders.js';
import { recoverStalledOrders, type RecoveryReport } from './recover.js';

/** IDEMPOTENT_REPLAYED_HEADER marks a checkout answer replayed from an earlier request. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

export interface OrdersOverrides {
  /** crashAfter replaces the SEAM_TEST_CRASH_AFTER hook (tests simulate crashes in-process). */
  crashAfter?: (point: CrashPoint) => void;
}

/** Orders is the module's implementation, with what tests reach into. */
export interface Orders extends ModuleImplementation<typeof ordersContract> {
  /** recover runs one recovery pass now (start and a timer call it too). */
  recover(now?: Date): Promise<RecoveryReport>;
  deps: OrdersDeps;
}

/** setupOrders implements ordersContract; the host calls it once per process. */
export function setupOrders(
  context: ModuleContext<OrdersConfig>,
  overrides: OrdersOverrides = {},
): Orders {
  const { db, config, log, clients, events } = context;
  const deps: OrdersDeps = {
    db,
    events,
    log,
    cart: clients.of(cartContract),
    catalog: clients.of(catalogContract),
    inventory: clients.of(inventoryContract),
    payments: clients.of(paymentsContract),
    sagaTimeoutMs: config.SEAM_SAGA_TIMEOUT_SECONDS * 1000,
    checkoutDeadlineMs: config.SEAM_CHECKOUT_DEADLINE_SECONDS * 1000,
    callTimeoutMs: config.SEAM_CALL_TIMEOUT_MS,
    crashAfter: overrides.crashAfter ?? crashHook(config, log),
  };
  // Check about twice per timeout, at least every 30 s and at most every 0.5 s.
  const intervalMs = Math.min(30_000, Math.max(500, deps.sagaTimeoutMs / 2));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const recover = (now?: Date) => recoverStalledOrders(deps, now);
  const tick = () => {
    running ??= recover()
      .catch((err: unknown) => log.error({ err }, 'order recovery pass failed'))
      .finally(() => (running = undefined));
  };

  return {
    recover,
    deps,
    operations: {
      getOrder: ({ id }) => getOrder(db, id),
    },
    routes(app) {
      const { routes } = ordersContract;
      app.openapi(routes.checkout, async (c) => {
        const answer = await checkout(deps, {
          userId: callerOf(c.get('user')).id,
          idempotencyKey: c.req.valid('header')['idempotency-key'],
          request: c.req.valid('json'),
          requestId: c.get('requestId'),
          instance: c.req.path,
        });
        const headers: Record<string, string> = {
          'content-type': answer.status >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json',
        };
        if (answer.replayed) headers[IDEMPOTENT_REPLAYED_HEADER] = 'true';
        // The stored body is sent as stored, so every replay is byte-identical.
        return c.body(JSON.stringify(answer.body), answer.status as 201, headers) as never;
      });
      app.openapi(routes.listOrders, async (c) => {
        return c.json(await listOrders(db, callerOf(c.get('user')).id, c.req.valid('query')), 200);
      });
      app.openapi(routes.getOrder, async (c) => {
        return c.json(await getOrderOf(db, callerOf(c.get('user')), c.req.valid('param').id), 200);
      });
      app.openapi(routes.cancelOrder, async (c) => {
        const order = await cancelOrder(deps, callerOf(c.get('user')), c.req.valid('param').id, {
          requestId: c.get('requestId'),
        });
        return c.json(order, 200);
      });
    },
    async start() {
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** callerOf is the authenticated user; requireAuth() on every route guarantees one. */
function callerOf(user: AuthUser | undefined): AuthUser {
  if (!user) throw AppError.unauthorized('This operation needs a bearer access token');
  return user;
}
