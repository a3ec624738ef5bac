// What the NATS JetStream transport promises, on real processes
// (topology/split-nats.json behind the gateway), under checkouts from several
// shoppers at once:
//  1. a subscriber down for minutes (notifications, SEAM_NATS_DOWN_SECONDS,
//     default 120) gets every event published meanwhile once it is back;
//  2. a restart of NATS itself (a private nats-server, stopped with SIGTERM for
//     a few seconds and started again on the same store) loses nothing: relays
//     wait in the outboxes while it is away, consumers resume where they were.
// Every order answered 201 must end with its notification; counts are printed.
import { randomUUID } from 'node:crypto';
import type { Product } from '@seam/catalog-contract';
import {
  eventually,
  startNatsServer,
  testNats,
  type NatsServer,
  type TestNats,
} from '@seam/platform/testing';
import { fetchRequester, shop, SUCCESS, UnexpectedStatusError, type Shopper } from '@seam/shopper';
import { afterEach, describe, expect, it } from 'vitest';
import type { Notification } from '@seam/notifications-contract';
import { ADMIN } from './support/journey.js';
import { expectNotified } from './support/notified.js';
import { loadShipped, onNats, startSplit, type SplitRun } from './support/split.js';

const SHOPPERS = 6;
const DOWN_SECONDS = Number(process.env.SEAM_NATS_DOWN_SECONDS ?? 120);
/**
 * Bounds every loop: no more checkouts than this per shopper, whatever the clock
 * says — and a shopper's notifications must fit one page (at most 100).
 */
const MAX_CHECKOUTS_PER_SHOPPER = 80;

let split: SplitRun | undefined;
let nats: TestNats | undefined;
let server: NatsServer | undefined;

afterEach(async () => {
  await split?.stop();
  await nats?.dispose();
  await server?.dispose();
  split = nats = server = undefined;
});

const ENV = {
  SEAM_EVENT_POLL_MS: '50',
  SEAM_EVENT_RETRY_BASE_MS: '100',
  SEAM_EVENT_RETRY_MAX_MS: '1000',
  LOG_LEVEL: 'warn',
};

/** startOnNats starts split-nats on `servers` (default NATS_URL's) with a fresh prefix. */
async function startOnNats(servers?: string[]) {
  nats = testNats(servers);
  split = await startSplit(ENV, {}, { topology: onNats(await loadShipped('split-nats'), nats) });
  const api = shop(fetchRequester(split.run.url, { timeoutMs: 30_000 }));
  const products = (await api.products(20)) as Product[];
  const shoppers: Shopper[] = [];
  for (let i = 0; i < SHOPPERS; i++) shoppers.push(await api.signUp(`Broker${i}`));
  return { api, run: split.run, products, shoppers };
}

type Api = ReturnType<typeof shop>;

/**
 * checkoutsUntil has every shopper add a product and check out, again and again,
 * until `stop()` says so (or the per-shopper bound): the orders answered 201,
 * and every other answer by status and code (503s are expected while NATS is away
 * only if something is wrong: checkouts do not need the broker).
 */
async function checkoutsUntil(
  api: Api,
  shoppers: Shopper[],
  products: Product[],
  stop: () => boolean,
  pauseMs: number,
) {
  const placed: { shopper: Shopper; orderId: string }[] = [];
  const other = new Map<string, number>();
  await Promise.all(
    shoppers.map(async (shopper, s) => {
      for (let i = 0; i < MAX_CHECKOUTS_PER_SHOPPER && !stop(); i++) {
        try {
          await api.addToCart(shopper, products[(s + i) % products.length]!, 1);
          const order = await api.placeOrder(shopper, SUCCESS, randomUUID());
          placed.push({ shopper, orderId: order.id });
        } catch (error) {
          const label =
            error instanceof UnexpectedStatusError
              ? `${error.status} ${(JSON.parse(error.body || '{}') as { code?: string }).code}`
              : (error as Error).message.slice(0, 80);
          other.set(label, (other.get(label) ?? 0) + 1);
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }),
  );
  return { placed, other };
}

describe('events through NATS JetStream under faults', () => {
  it(`a subscriber down for ${DOWN_SECONDS} s gets every event published meanwhile once it is back`, async () => {
    const { api, run, products, shoppers } = await startOnNats();
    await run.kill('notifications');
    const killedAt = Date.now();
    const load = await checkoutsUntil(
      api,
      shoppers,
      products,
      () => Date.now() - killedAt >= DOWN_SECONDS * 1000,
      // About 40 checkouts per shopper over the outage, whatever its length.
      Math.max(100, (DOWN_SECONDS * 1000) / 40),
    );
    const latecomers: Shopper[] = [];
    for (let i = 0; i < 3; i++) latecomers.push(await api.signUp(`Latecomer${i}`));
    expect(await nats!.pending('orders', 'notifications_OrderConfirmed')).toBeGreaterThan(0);

    const restartedAt = Date.now();
    await run.restart('notifications');
    await expectNotified(api, load.placed, 120_000);
    for (const shopper of latecomers) {
      await eventually(async () => {
        const page = await api.expect<{ items: Notification[] }>(200, 'GET', '/api/notifications', {
          token: shopper.token,
        });
        expect(page.items.map((n) => n.kind)).toEqual(['welcome']);
      }, 60_000);
    }
    console.info(
      `subscriber down ${Math.round((restartedAt - killedAt) / 1000)} s: ${load.placed.length} orders placed meanwhile, all notified ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after the restart; other answers: ${JSON.stringify([...load.other])}`,
    );
    expect(load.placed.length).toBeGreaterThan(SHOPPERS * 5);
    expect([...load.other.keys()].filter((label) => !label.startsWith('409'))).toEqual([]);
  }, 600_000);

  it('a NATS restart loses nothing: relays wait in the outboxes, consumers resume', async () => {
    server = await startNatsServer();
    const { api, products, shoppers, run } = await startOnNats([server.url]);
    const admin = await api.logIn(ADMIN.email, ADMIN.password);
    const [orders] = run.replicas('orders');
    const ordersApi = shop(fetchRequester(orders!.url, { timeoutMs: 10_000 }));
    let stopping = false;
    const loading = checkoutsUntil(api, shoppers, products, () => stopping, 200);

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await server.stop('SIGTERM');
    const stoppedAt = Date.now();
    // While NATS is away, checkouts go on and the relays wait in the orders outbox.
    await eventually(async () => {
      const pending = await ordersApi.expect<{ items: { subscriber: string }[] }>(
        200,
        'GET',
        '/api/events/deliveries?status=pending&limit=200',
        { token: admin },
      );
      expect(pending.items.map((d) => d.subscriber)).toContain('@broker');
    }, 20_000);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, 5_000 - (Date.now() - stoppedAt))),
    );
    await server.start();
    const startedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    stopping = true;
    const load = await loading;

    await expectNotified(api, load.placed, 90_000);
    // Every relay delivery of every publisher ends delivered.
    await eventually(async () => {
      const pending = await ordersApi.expect<{ items: unknown[] }>(
        200,
        'GET',
        '/api/events/deliveries?status=pending&limit=200',
        { token: admin },
      );
      expect(pending.items).toEqual([]);
    }, 60_000);
    console.info(
      `NATS stopped ${((startedAt - stoppedAt) / 1000).toFixed(1)} s under load: ${load.placed.length} orders placed, all notified ${((Date.now() - startedAt) / 1000).toFixed(1)} s after NATS was back; other answers: ${JSON.stringify([...load.other])}`,
    );
    expect(load.placed.length).toBeGreaterThan(SHOPPERS * 5);
    expect([...load.other.keys()].filter((label) => !label.startsWith('409'))).toEqual([]);
  }, 400_000);
});
