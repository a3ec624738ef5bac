// A service dies in a split deployment (topology/split.json, real processes behind
// the gateway): its routes fail fast with a 503 problem while the rest of the shop
// keeps selling, the events meant for it wait — in the publishers' outboxes with
// HTTP push, in JetStream with topology/split-nats.json (run when NATS_URL names
// a server) — and once it is back they are delivered: nothing is lost.
import type { TopologyRun } from '@seam/platform/processes';
import {
  eventually as waitUntil,
  NATS_SERVERS,
  testNats,
  type TestNats,
} from '@seam/platform/testing';
import { fetchRequester, PASSWORD, send as sendRequest, SUCCESS } from '@seam/shopper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from './support/journey.js';
import { loadShipped, onNats, startSplit, type SplitRun } from './support/split.js';

/** The gateway's bound of one proxied request: a 503 well before it is not a timeout. */
const GATEWAY_TIMEOUT_MS = 15_000;

let run: TopologyRun;

/** startOutageSplit starts the split topology, its events through NATS when `nats` is given. */
async function startOutageSplit(nats: TestNats | undefined): Promise<SplitRun> {
  const split = await startSplit(
    {
      SEAM_EVENT_POLL_MS: '50',
      // Redeliveries every 100–400 ms, so a returning subscriber is served soon.
      SEAM_EVENT_RETRY_BASE_MS: '100',
      SEAM_EVENT_RETRY_MAX_MS: '400',
      // Far fewer than the attempts made while a subscriber is down: unreachable
      // attempts must not count, or its events would be marked failed, not delivered.
      SEAM_EVENT_MAX_ATTEMPTS: '3',
    },
    { SEAM_GATEWAY_TIMEOUT_MS: String(GATEWAY_TIMEOUT_MS) },
    nats ? { topology: onNats(await loadShipped('split-nats'), nats) } : {},
  );
  run = split.run;
  return split;
}

/** send sends through the shopper driver and reads the answer, timing it. */
async function send(
  method: string,
  path: string,
  options: { token?: string; json?: unknown; headers?: Record<string, string>; base?: string } = {},
) {
  const started = performance.now();
  const res = await sendRequest(
    fetchRequester(options.base ?? run.url, { timeoutMs: 30_000 }),
    method,
    path,
    { token: options.token, body: options.json, headers: options.headers },
  );
  const text = await res.text();
  const body =
    text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  return { status: res.status, body, headers: res.headers, ms: performance.now() - started };
}

async function shopper(name: string): Promise<{ id: string; token: string }> {
  const email = `${name.toLowerCase()}@example.com`;
  const user = await send('POST', '/api/users/register', {
    json: { email, password: PASSWORD, name },
  });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const login = await send('POST', '/api/users/login', { json: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return { id: user.body.id, token: login.body.accessToken };
}

/** eventually waits up to 30 s: processes are restarting. */
const eventually = <T>(check: () => Promise<T>) => waitUntil(check, 30_000);

function expectUnavailable(answer: Awaited<ReturnType<typeof send>>, module: string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(503);
  expect(answer.headers.get('content-type')).toBe('application/problem+json');
  expect(answer.body).toMatchObject({
    status: 503,
    code: 'module-unavailable',
    type: 'urn:seam:problem:module-unavailable',
  });
  expect(answer.body.detail).toContain(module);
  expect(answer.ms).toBeLessThan(GATEWAY_TIMEOUT_MS / 3);
}

const TRANSPORTS: [string, boolean][] = [
  ['HTTP push (topology/split.json)', false],
  ...(NATS_SERVERS.length > 0
    ? [['NATS JetStream (topology/split-nats.json)', true] as [string, boolean]]
    : []),
];

describe.each(TRANSPORTS)(
  'one service down in a split deployment, events by %s',
  (_, onJetStream) => {
    let split: SplitRun | undefined;
    let nats: TestNats | undefined;
    beforeAll(async () => {
      nats = onJetStream ? testNats() : undefined;
      split = await startOutageSplit(nats);
    });
    afterAll(async () => {
      await split?.stop();
      await nats?.dispose();
    });

    it('keeps selling while notifications is down, and delivers its events when it is back', async () => {
      const ada = await shopper('Ada');
      const products = await send('GET', '/api/catalog/products?limit=100');
      const product = products.body.items.find(
        (p: { price: { currency: string } }) => p.price.currency === 'EUR',
      );
      await eventually(async () => {
        const stock = await send('GET', `/api/inventory/stock/${product.id}`);
        expect(stock.body.available).toBeGreaterThan(2);
      });
      await eventually(async () => {
        const notes = await send('GET', '/api/notifications', { token: ada.token });
        expect(notes.body.items.map((n: { kind: string }) => n.kind)).toEqual(['welcome']);
      });

      await run.kill('notifications');

      // Its routes: a clear 503 at once, not a hang until the gateway's timeout.
      const down = await send('GET', '/api/notifications', { token: ada.token });
      expectUnavailable(down, 'notifications');
      console.info(
        `GET /api/notifications with the service killed: 503 in ${down.ms.toFixed(1)} ms`,
      );
      const ready = await send('GET', '/health/ready');
      expect(ready.status).toBe(503);

      // The rest of the shop: browse, register, fill a cart, check out.
      expect((await send('GET', `/api/catalog/products/${product.id}`)).status).toBe(200);
      const bob = await shopper('Bob');
      const cart = await send('POST', '/api/cart/items', {
        token: ada.token,
        json: { productId: product.id, quantity: 1 },
      });
      expect(cart.status).toBe(200);
      const order = await send('POST', '/api/orders', {
        token: ada.token,
        json: SUCCESS,
        headers: { 'idempotency-key': 'outage-1' },
      });
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      expect(order.body.status).toBe('confirmed');

      const admin = await send('POST', '/api/users/login', { json: ADMIN });
      const [ordersService] = run.replicas('orders');
      if (nats) {
        // The events for notifications are stored by JetStream (the relay delivered),
        // waiting in its durable consumer.
        const broker = nats;
        await eventually(async () => {
          const relays = await send('GET', '/api/events/deliveries?limit=200', {
            token: admin.body.accessToken,
            base: ordersService!.url,
          });
          expect(relays.status).toBe(200);
          expect(relays.body.items).toContainEqual(
            expect.objectContaining({
              type: 'orders.OrderConfirmed',
              subscriber: '@broker',
              status: 'delivered',
            }),
          );
          expect(await broker.pending('orders', 'notifications_OrderConfirmed')).toBeGreaterThan(0);
        });
      } else {
        // The events for notifications wait in the publishers' outboxes.
        await eventually(async () => {
          const pending = await send('GET', '/api/events/deliveries?status=pending', {
            token: admin.body.accessToken,
            base: ordersService!.url,
          });
          expect(pending.status).toBe(200);
          expect(pending.body.items).toContainEqual(
            expect.objectContaining({ type: 'orders.OrderConfirmed', subscriber: 'notifications' }),
          );
        });
      }

      await run.restart('notifications');

      await eventually(async () => {
        const notes = await send('GET', '/api/notifications', { token: ada.token });
        expect(notes.status).toBe(200);
        expect(notes.body.items.map((n: { kind: string }) => n.kind).sort()).toEqual([
          'order-confirmed',
          'welcome',
        ]);
        expect(
          notes.body.items.find((n: { kind: string }) => n.kind === 'order-confirmed').orderId,
        ).toBe(order.body.id);
      });
      await eventually(async () => {
        const notes = await send('GET', '/api/notifications', { token: bob.token });
        expect(notes.body.items.map((n: { kind: string }) => n.kind)).toEqual(['welcome']);
      });
      await eventually(async () => expect((await send('GET', '/health/ready')).status).toBe(200));
    }, 180_000);

    it('answers 503 for catalog and for what needs it while catalog is down; the rest works', async () => {
      const carol = await shopper('Carol');
      const products = await send('GET', '/api/catalog/products?limit=1');
      const product = products.body.items[0];

      await run.kill('catalog');

      expectUnavailable(await send('GET', '/api/catalog/products'), 'catalog');
      expectUnavailable(await send('GET', `/api/catalog/products/${product.id}`), 'catalog');
      // The cart prices what it adds through catalog: its own 503, passed through.
      const adding = await send('POST', '/api/cart/items', {
        token: carol.token,
        json: { productId: product.id, quantity: 1 },
      });
      expect(adding.status, JSON.stringify(adding.body)).toBe(503);
      // unreachable on the first failed attempts, unavailable once cart's breaker opens.
      expect(['module-unreachable', 'module-unavailable']).toContain(adding.body.code);
      // Everything that does not need catalog goes on.
      expect((await send('GET', '/api/users/me', { token: carol.token })).status).toBe(200);
      expect((await send('GET', '/api/orders', { token: carol.token })).status).toBe(200);
      expect((await send('GET', `/api/inventory/stock/${product.id}`)).status).toBe(200);

      await run.restart('catalog');
      await eventually(async () => {
        expect((await send('GET', `/api/catalog/products/${product.id}`)).status).toBe(200);
      });
      const added = await send('POST', '/api/cart/items', {
        token: carol.token,
        json: { productId: product.id, quantity: 1 },
      });
      expect(added.status, JSON.stringify(added.body)).toBe(200);
    }, 180_000);
  },
);
