// Checkout recovery with every real module. First a real server process killed
// (SIGKILL, via SEAM_TEST_CRASH_AFTER) right after a saga step, then restarted on
// the same database with a short SEAM_SAGA_TIMEOUT_SECONDS: the order must end
// failed (stock released) or confirmed (stock committed, one payment), never
// pending, and replaying the Idempotency-Key must return the final order. Then
// in-process hosts that leave an order half-way (payments unreachable) and let
// recovery settle it from each state the payment can be in.
import { randomUUID } from 'node:crypto';
import type { Product } from '@seam/catalog-contract';
import { inventoryContract } from '@seam/inventory-contract';
import type { Order } from '@seam/orders-contract';
import { paymentsContract, TEST_CARDS, type Payment } from '@seam/payments-contract';
import { createHost, type Host } from '@seam/platform';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import { createTestDatabase, eventually, type TestDatabase } from '@seam/platform/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { jwks, modules } from './modules.js';
import { json, problem, shop, SUCCESS, type Shop, type Shopper } from './test-support/shop.js';

const FAST_RECOVERY = { SEAM_SAGA_TIMEOUT_SECONDS: '1' };

// Each test starts two or three servers (migrations, demo seed); a loaded CI box needs the time.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe.each([
  { point: 'reserve', expected: 'failed' },
  { point: 'charge', expected: 'confirmed' },
] as const)('a server process killed right after $point', ({ point, expected }) => {
  let database: TestDatabase;
  let server: RunningProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  it(`recovers on restart: the order ends ${expected}, never pending, and the key replays it`, async () => {
    const base = { ...database.env, NODE_ENV: 'test', SEAM_DEMO_DATA: 'true' };
    server = await startProcess({ env: { ...base, SEAM_TEST_CRASH_AFTER: point } });
    let api = shop((path, init) => fetch(`${server!.url}${path}`, init));
    const shopper = await api.signUp('Crash');
    const [product] = (await api.products(1)) as [Product];
    await api.waitForStock([product]);
    const before = await api.stockOf(product.id);
    await api.addToCart(shopper, product, 2);
    const key = randomUUID();

    await expect(api.checkout(shopper, SUCCESS, key)).rejects.toThrow(/fetch failed/);
    expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });

    server = await startProcess({ env: { ...base, ...FAST_RECOVERY } });
    api = shop((path, init) => fetch(`${server!.url}${path}`, init));
    // The signing key lives in the database, so the shopper's token still works.
    const [order] = await eventually(async () => {
      const orders = await api.orders(shopper);
      expect(orders).toHaveLength(1);
      expect(orders[0]!.status).not.toBe('pending');
      return orders;
    }, 20_000);

    const stock = await api.stockOf(product.id);
    if (expected === 'failed') {
      expect(order).toMatchObject({ status: 'failed', failureReason: 'interrupted' });
      expect(stock).toEqual(before);
      expect((await api.payments(shopper, order!.id)).status).toBe(404);
    } else {
      expect(order).toMatchObject({ status: 'confirmed', failureReason: null });
      expect(stock).toEqual({ ...before, available: before.available - 2, reserved: 0 });
      expect(await api.paymentsOf(shopper, order!.id)).toEqual([
        expect.objectContaining({ status: 'captured', amount: order!.total }),
      ]);
      await eventually(async () => expect((await api.cartOf(shopper)).items).toEqual([]));
    }

    const replay = await api.checkout(shopper, SUCCESS, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await json<Order>(replay, 201)).toEqual(order);
  });
});

/** HalfWay is one case of recovery from a pending order (see HALF_WAY). */
interface HalfWay {
  title: string;
  /** card pays the checkout, and the charge made meanwhile. */
  card: string;
  /** meanwhile: what happens between the failed checkout and recovery. */
  meanwhile: ('charge' | 'release')[];
  outcome: Pick<Order, 'status' | 'failureReason'>;
  /** stock: the reserved unit back in stock, or taken out of it. */
  stock: 'returned' | 'committed';
  /** payment: no payment at all (404), or the one payment's final status. */
  payment?: 'none' | Payment['status'];
  /** replays: replaying the Idempotency-Key returns the settled order. */
  replays?: boolean;
  /** notifies: the shopper eventually has a notification of this kind. */
  notifies?: string;
}

/**
 * HALF_WAY: each case leaves an order pending, then (with every module hosted
 * but recovery held off) brings the payment into a state — charged with `card`,
 * and perhaps the reservation released — before recovery settles the order.
 */
const HALF_WAY: HalfWay[] = [
  {
    title: 'fails a never-charged order as interrupted and returns its stock',
    card: TEST_CARDS.success,
    meanwhile: [],
    outcome: { status: 'failed', failureReason: 'interrupted' },
    stock: 'returned',
    payment: 'none',
    replays: true,
    notifies: 'order-failed',
  },
  {
    // The charge happened after all (e.g. the answer was lost): payments knows, orders does not.
    title: 'confirms an order whose charge was captured and commits its stock, charging once',
    card: TEST_CARDS.success,
    meanwhile: ['charge'],
    outcome: { status: 'confirmed', failureReason: null },
    stock: 'committed',
    payment: 'captured',
    replays: true,
  },
  {
    title: 'refunds and fails a captured order whose reservation was released meanwhile',
    card: TEST_CARDS.success,
    meanwhile: ['charge', 'release'],
    outcome: { status: 'failed', failureReason: 'interrupted' },
    stock: 'returned',
    payment: 'refunded',
  },
  {
    title: 'fails an order whose charge was declined with the decline reason',
    card: TEST_CARDS.declined,
    meanwhile: ['charge'],
    outcome: { status: 'failed', failureReason: 'card_declined' },
    stock: 'returned',
  },
];

describe('recovery of an order left half-way, with every module in-process', () => {
  let database: TestDatabase;
  let host: Host | undefined;
  let api: Shop;

  const start = async (env: Record<string, string> = {}) => {
    host = await createHost({
      modules,
      jwks,
      env: {
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        SEAM_DEMO_DATA: 'true',
        SEAM_EVENT_POLL_MS: '20',
        ...database.env,
        ...env,
      },
    });
    api = shop(async (path, init) => host!.app.request(path, init));
    return host;
  };
  const restart = async (env: Record<string, string> = {}) => {
    await host?.close();
    host = undefined;
    return start(env);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });
  afterAll(() => database?.dispose());

  /**
   * pendingOrder checks out while payments is not hosted (and not reachable):
   * stock is reserved, the charge fails, the order stays pending.
   */
  async function pendingOrder(card: string = TEST_CARDS.success) {
    await start({
      SEAM_MODULES: 'users,catalog,inventory,cart,orders,notifications',
      SEAM_SAGA_TIMEOUT_SECONDS: '3600',
    });
    const shopper: Shopper = await api.signUp('Half');
    const [product] = (await api.products(1)) as [Product];
    await api.waitForStock([product]);
    const before = await api.stockOf(product.id);
    await api.addToCart(shopper, product, 1);
    const key = randomUUID();
    const body = { ...SUCCESS, paymentMethod: { card } };
    const answer = await problem(
      await api.checkout(shopper, body, key),
      503,
      'orders.checkout-incomplete',
    );
    const orderId = /Order ([0-9a-f-]{36})/.exec(answer.detail)![1]!;
    expect((await api.order(shopper, orderId)).status).toBe('pending');
    expect(await api.stockOf(product.id)).toEqual({
      ...before,
      available: before.available - 1,
      reserved: 1,
    });
    // Replays wait for the outcome meanwhile.
    await problem(await api.checkout(shopper, body, key), 409, 'orders.idempotency-key-in-flight');
    return { shopper, product, before, key, body, orderId };
  }

  /** settled restarts with every module and fast recovery, and waits for the order to end. */
  async function settled(shopper: Shopper, orderId: string): Promise<Order> {
    await restart(FAST_RECOVERY);
    return eventually(async () => {
      const order = await api.order(shopper, orderId);
      expect(order.status).not.toBe('pending');
      return order;
    }, 15_000);
  }

  for (const step of HALF_WAY) {
    it(step.title, async () => {
      const { shopper, product, before, key, body, orderId } = await pendingOrder(step.card);
      if (step.meanwhile.length > 0) {
        const hosted = await restart({ SEAM_SAGA_TIMEOUT_SECONDS: '3600' });
        const order = await api.order(shopper, orderId);
        await hosted.clients.of(paymentsContract).charge({
          orderId,
          userId: shopper.id,
          amount: order.total,
          card: { number: step.card },
        });
        if (step.meanwhile.includes('release')) {
          await hosted.clients.of(inventoryContract).release({ orderId });
        }
      }

      const final = await settled(shopper, orderId);
      expect(final).toMatchObject(step.outcome);
      expect(await api.stockOf(product.id)).toEqual(
        step.stock === 'returned'
          ? before
          : { ...before, available: before.available - 1, reserved: 0 },
      );
      if (step.payment === 'none') {
        expect((await api.payments(shopper, orderId)).status).toBe(404);
      } else if (step.payment) {
        expect(await api.paymentsOf(shopper, orderId)).toEqual([
          expect.objectContaining({ status: step.payment }),
        ]);
      }
      if (step.replays) {
        expect(await json<Order>(await api.checkout(shopper, body, key), 201)).toEqual(final);
      }
      if (step.notifies) {
        const kind = step.notifies;
        await eventually(async () =>
          expect((await api.notificationsOf(shopper)).map((n) => n.kind)).toContain(kind),
        );
      }
    });
  }
});
