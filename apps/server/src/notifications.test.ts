// Notifications with the real users module, in one process: registering
// publishes users.UserRegistered and a welcome appears for that user (events
// are asynchronous, hence `eventually`); order events reach the buyer's real
// address through users.getUser. The orders journey test covers the events
// orders publishes itself.
import { randomUUID } from 'node:crypto';
import notifications from '@seam/notifications';
import type { Notification } from '@seam/notifications-contract';
import { OrderConfirmed, OrderFailed } from '@seam/orders-contract';
import type { EventEnvelope } from '@seam/platform';
import { eventually, startTestHost, type TestHost } from '@seam/platform/testing';
import users from '@seam/users';
import { usersContract } from '@seam/users-contract';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { json, problem, shop, type Shop } from './test-support/shop.js';

const ADMIN = { email: 'owner@example.com', password: 'a-long-admin-password' };
const SERVICE_TOKEN = 'notifications-app-test-service-token-012345';

let t: TestHost;
let api: Shop;

beforeAll(async () => {
  t = await startTestHost({
    modules: [users, notifications],
    jwks: (clients) => clients.of(usersContract).getJwks({}),
    env: {
      SEAM_ADMIN_EMAIL: ADMIN.email,
      SEAM_ADMIN_PASSWORD: ADMIN.password,
      SEAM_SERVICE_TOKEN: SERVICE_TOKEN,
      SEAM_EVENT_POLL_MS: '20',
    },
  });
  api = shop((path, init) => t.request(path, init));
});
afterAll(() => t?.close());

/** deliver posts an order event to notifications as the bus would deliver it. */
async function deliver(envelope: EventEnvelope): Promise<Response> {
  return t.request('/internal/events/notifications', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-seam-service-token': SERVICE_TOKEN },
    body: JSON.stringify(envelope),
  });
}

function orderEvent(type: typeof OrderConfirmed | typeof OrderFailed, payload: object) {
  return {
    id: randomUUID(),
    type: type.type,
    version: type.version,
    source: 'orders',
    occurredAt: new Date().toISOString(),
    payload,
  };
}

it('welcomes a newly registered shopper, visible in their notifications', async () => {
  const ada = await api.signUp('Ada');
  const [welcome] = await eventually(async () => {
    const items = await api.notificationsOf(ada);
    expect(items).toHaveLength(1);
    return items;
  });
  expect(welcome).toMatchObject({
    userId: ada.id,
    kind: 'welcome',
    recipient: ada.email,
    subject: 'Welcome to Seam, Ada!',
    orderId: null,
  });
  expect(welcome?.body).toContain(ada.email);
});

it('welcomes the first admin too', async () => {
  const token = await api.logIn(ADMIN.email, ADMIN.password);
  const items = await eventually(async () => {
    const found = await json<{ items: Notification[] }>(
      await api.send('GET', '/api/notifications', { token }),
      200,
    );
    expect(found.items).toHaveLength(1);
    return found.items;
  });
  expect(items[0]).toMatchObject({ kind: 'welcome', recipient: ADMIN.email });
});

it('shows each shopper only their own notifications', async () => {
  const [ada, bob] = await Promise.all([api.signUp('Ada'), api.signUp('Bob')]);
  for (const shopper of [ada, bob]) {
    const items = await eventually(async () => {
      const found = await api.notificationsOf(shopper);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(items.map((n) => n.recipient)).toEqual([shopper.email]);
  }
});

it("sends order news to the buyer's address from the users module, newest first", async () => {
  const ada = await api.signUp('Ada');
  await eventually(async () => expect(await api.notificationsOf(ada)).toHaveLength(1));
  const orderId = randomUUID();
  const confirmed = await deliver(
    orderEvent(OrderConfirmed, {
      orderId,
      userId: ada.id,
      total: { amount: 24900, currency: 'EUR' },
      itemCount: 1,
    }),
  );
  expect(await confirmed.json()).toEqual({ result: 'processed' });
  const items = await api.notificationsOf(ada);
  expect(items.map((n) => n.kind)).toEqual(['order-confirmed', 'welcome']);
  expect(items[0]).toMatchObject({
    recipient: ada.email,
    orderId,
    subject: `Your order ${orderId} is confirmed`,
  });
  expect(items[0]?.body).toContain('Hi Ada,');
  expect(items[0]?.body).toContain('249.00 EUR');
});

it('records an order event once however often it is delivered', async () => {
  const bob = await api.signUp('Bob');
  const event = orderEvent(OrderFailed, {
    orderId: randomUUID(),
    userId: bob.id,
    reason: 'card_declined',
  });
  expect(await (await deliver(event)).json()).toEqual({ result: 'processed' });
  expect(await (await deliver(event)).json()).toEqual({ result: 'duplicate' });
  await eventually(async () => {
    const kinds = (await api.notificationsOf(bob)).map((n) => n.kind).sort();
    expect(kinds).toEqual(['order-failed', 'welcome']);
  });
});

it('refuses an order event for a user that does not exist, so the bus retries it', async () => {
  await problem(
    await deliver(
      orderEvent(OrderFailed, {
        orderId: randomUUID(),
        userId: randomUUID(),
        reason: 'interrupted',
      }),
    ),
    404,
    'users.user-not-found',
  );
});
