// Checkout recovery with every real module. First a real server process killed
// (SIGKILL, via SEAM_TEST_CRASH_AFTER) right after each saga step, then restarted
// on the same database with a short SEAM_SAGA_TIMEOUT_SECONDS: recovery resumes
// the checkout, so the order ends confirmed (stock committed, one payment) —
// a crash alone never fails an order — and replaying the Idempotency-Key returns
// it. Then in-process hosts that leave an order half-way (inventory unreachable)
// and let recovery finish it from each state reservation and payment can be in.
import { randomUUID } from 'node:crypto';
import type { Product } from '@seam/catalog-contract';
import { inventoryContract } from '@seam/inventory-contract';
import type { Order } from '@seam/orders-contract';
import { paymentsContract, TEST_CARDS, type Payment } from '@seam/payments-contract';
import { createHost, type Host } from '@seam/platform';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import { createTestDatabase, eventually, type TestDatabase } from '@seam/platform/testing';
import { fetchRequester } from '@seam/shopper';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { jwks, modules } from './modules.js';
import { json, problem, shop, SUCCESS, type Shop, type Shopper } from './test-support/shop.js';

const FAST_RECOVERY = { SEAM_SAGA_TIMEOUT_SECONDS: '1' };

// Each test starts two or three servers (migrations, demo seed); a loaded CI box needs the time.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe.each([
  { point: 'order' },
  { point: 'reserve' },
  { point: 'charge' },
  { point: 'commit' },
] as const)('a server process killed right after $point', ({ point }) => {
  let database: TestDatabase;
  let server: RunningProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  it('resumes on restart: the order ends confirmed, charged once, and the key replays it', async () => {
    const base = { ...database.env, NODE_ENV: 'test', SEAM_DEMO_DATA: 'true' };
    server = await startProcess({ env: { ...base, SEAM_TEST_CRASH_AFTER: point } });
    let api = shop(fetchRequester(server.url));
    const shopper = await api.signUp('Crash');
    const [product] = (await api.products(1)) as [Product];
    await api.waitForStock([product]);
    const before = await api.stockOf(product.id);
    await api.addToCart(shopper, product, 2);
    const key = randomUUID();

    await expect(api.checkout(shopper, SUCCESS, key)).rejects.toThrow(/fetch failed/);
    expect(await server.exited).toEqual({ code: null, signal: 'SIGKILL' });

    server = await startProcess({ env: { ...base, ...FAST_RECOVERY } });
    api = shop(fetchRequester(server.url));
    // The signing key lives in the database, so the shopper's token still works.
    const [order] = await eventually(async () => {
      const orders = await api.orders(shopper);
      expect(orders).toHaveLength(1);
      expect(orders[0]!.status).not.toBe('pending');
      return orders;
    }, 20_000);

    expect(order).toMatchObject({ status: 'confirmed', failureReason: null });
    expect(await api.stockOf(product.id)).toEqual({
      ...before,
      available: before.available - 2,
      reserved: 0,
    });
    expect(await api.paymentsOf(shopper, order!.id)).toEqual([
      expect.objectContaining({ status: 'captured', amount: order!.total }),
    ]);
    await eventually(async () => expect((await api.cartOf(shopper)).items).toEqual([]));

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
  meanwhile: ('reserve' | 'charge' | 'release')[];
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
 * HALF_WAY: each case leaves an order pending (placed, with its card token, but
 * nothing reserved), then (with every module hosted but recovery held off)
 * moves reservation and payment on — reserved, charged with `card`, perhaps
 * released — before recovery finishes the order.
 */
const HALF_WAY: HalfWay[] = [
  {
    title:
      'resumes a never-reserved, never-charged order: reserves, charges its card token, confirms',
    card: TEST_CARDS.success,
    meanwhile: [],
    outcome: { status: 'confirmed', failureReason: null },
    stock: 'committed',
    payment: 'captured',
    replays: true,
    notifies: 'order-confirmed',
  },
  {
    // The steps happened after all (e.g. the answers were lost): the other modules know, orders does not.
    title: 'confirms an order whose charge was captured and commits its stock, charging once',
    card: TEST_CARDS.success,
    meanwhile: ['reserve', 'charge'],
    outcome: { status: 'confirmed', failureReason: null },
    stock: 'committed',
    payment: 'captured',
    replays: true,
  },
  {
    title: 'refunds and fails a captured order whose reservation was released meanwhile',
    card: TEST_CARDS.success,
    meanwhile: ['reserve', 'charge', 'release'],
    outcome: { status: 'failed', failureReason: 'reservation_expired' },
    stock: 'returned',
    payment: 'refunded',
  },
  {
    title: 'fails an order whose charge was declined with the decline reason',
    card: TEST_CARDS.declined,
    meanwhile: ['reserve', 'charge'],
    outcome: { status: 'failed', failureReason: 'card_declined' },
    stock: 'returned',
    notifies: 'order-failed',
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
   * pendingOrder checks out while inventory is not hosted (and not reachable):
   * the card is tokenised, the order placed, the reservation fails, the order
   * stays pending.
   */
  async function pendingOrder(card: string = TEST_CARDS.success) {
    await start({ SEAM_SAGA_TIMEOUT_SECONDS: '3600' });
    const shopper: Shopper = await api.signUp('Half');
    const [product] = (await api.products(1)) as [Product];
    await api.waitForStock([product]);
    const before = await api.stockOf(product.id);
    await api.addToCart(shopper, product, 1);
    await restart({
      SEAM_MODULES: 'users,catalog,cart,orders,payments,notifications',
      SEAM_SAGA_TIMEOUT_SECONDS: '3600',
    });
    const key = randomUUID();
    const body = { ...SUCCESS, paymentMethod: { card } };
    const answer = await problem(
      await api.checkout(shopper, body, key),
      503,
      'orders.checkout-incomplete',
    );
    const orderId = /Order ([0-9a-f-]{36})/.exec(answer.detail)![1]!;
    expect((await api.order(shopper, orderId)).status).toBe('pending');
    expect((await api.payments(shopper, orderId)).status).toBe(404);
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
        if (step.meanwhile.includes('reserve')) {
          await hosted.clients.of(inventoryContract).reserve({
            orderId,
            items: order.items.map(({ productId, quantity }) => ({ productId, quantity })),
          });
        }
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
