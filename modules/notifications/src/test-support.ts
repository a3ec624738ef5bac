// Helpers shared by the notifications tests (not part of the module's surface):
// a host running notifications — alone, or with the users and orders contracts'
// fakes — test tokens, event envelopes and request shortcuts.
// The real users module is exercised in apps/server/src/notifications.test.ts.
import { randomUUID } from 'node:crypto';
import type { Notification } from '@seam/notifications-contract';
import { OrderCancelled, OrderConfirmed, OrderFailed } from '@seam/orders-contract';
import { fakeOrders } from '@seam/orders-contract/testing';
import type { EventDefinition, EventEnvelope, z } from '@seam/platform';
import {
  jsonRequest,
  startTestHostWithTokens,
  type TestHostWithTokens,
} from '@seam/platform/testing';
import { UserRegistered } from '@seam/users-contract';
import { fakeUsers } from '@seam/users-contract/testing';
import { expect } from 'vitest';
import notificationsModule from './index.js';
import { notifications } from './schema.js';

export const SERVICE_TOKEN = 'notifications-test-service-token-0123456789';

/** FAST_EVENTS makes the bus retry within milliseconds. */
export const FAST_EVENTS = {
  SEAM_EVENT_POLL_MS: '20',
  SEAM_EVENT_RETRY_BASE_MS: '10',
  SEAM_EVENT_RETRY_MAX_MS: '40',
};

/** users is the users module the `with-fakes` hosts ask for buyers; tests arrange it. */
export const users = fakeUsers();

/** orders publishes the orders' events to the `with-fakes` hosts (`orders.publish`). */
export const orders = fakeOrders();

/** envelope wraps a payload as the bus would deliver it. */
export function envelope<E extends EventDefinition>(
  event: E,
  payload: z.input<E['payload']>,
): EventEnvelope {
  return {
    id: randomUUID(),
    type: event.type,
    version: event.version,
    source: event.type.split('.')[0]!,
    occurredAt: new Date().toISOString(),
    payload,
  };
}

/** orderPayloads builds valid payloads of the three order events for a user. */
export const orderPayloads = {
  confirmed: (userId: string, orderId = randomUUID()) =>
    envelope(OrderConfirmed, {
      orderId,
      userId,
      total: { amount: 24900, currency: 'EUR' },
      itemCount: 2,
    }),
  failed: (userId: string, orderId = randomUUID()) =>
    envelope(OrderFailed, { orderId, userId, reason: 'card_declined' }),
  cancelled: (userId: string, orderId = randomUUID()) =>
    envelope(OrderCancelled, { orderId, userId, total: { amount: 6990, currency: 'EUR' } }),
};

/** welcome builds a UserRegistered envelope. */
export function registered(user: { id: string; email: string; name: string }): EventEnvelope {
  return envelope(UserRegistered, { userId: user.id, email: user.email, name: user.name });
}

export interface NotificationsTestHost extends TestHostWithTokens {
  /** tokenFor signs a customer (or admin) token for a user id. */
  tokenFor(userId: string, role?: 'customer' | 'admin'): Promise<string>;
  /** list calls GET /api/notifications with a token and an optional query string. */
  list(token: string | undefined, query?: string): Promise<Response>;
  /** deliver posts an envelope to the internal event endpoint of notifications. */
  deliver(envelope: EventEnvelope): Promise<Response>;
  /** recorded reads the stored notifications of a user directly. */
  recorded(userId: string): Promise<(typeof notifications.$inferSelect)[]>;
}

/**
 * startNotifications runs notifications on a fresh database: `alone` hosts
 * nothing else (users unreachable), `with-fakes` adds the users and orders fakes.
 */
export async function startNotifications(
  mode: 'alone' | 'with-fakes',
  env: Record<string, string> = {},
): Promise<NotificationsTestHost> {
  const t = await startTestHostWithTokens({
    modules:
      mode === 'alone' ? [notificationsModule] : [notificationsModule, users.module, orders.module],
    env: { SEAM_SERVICE_TOKEN: SERVICE_TOKEN, ...env },
  });
  return {
    ...t,
    tokenFor: async (userId, role = 'customer') => (await t.signUser(role, userId)).token,
    list: (token, query = '') =>
      t.request(`/api/notifications${query}`, jsonRequest('GET', undefined, token)),
    deliver: (body) =>
      t.request('/internal/events/notifications', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-seam-service-token': SERVICE_TOKEN },
        body: JSON.stringify(body),
      }),
    async recorded(userId) {
      const rows = await t.host.database.db.select().from(notifications);
      return rows.filter((row) => row.userId === userId);
    },
  };
}

/** readItems reads a 200 notification list. */
export async function readItems(res: Response): Promise<Notification[]> {
  const body = (await res.json()) as { items: Notification[] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.items;
}

/** deliveryResult reads the bus's answer to a delivery: processed or duplicate. */
export async function deliveryResult(res: Response): Promise<string> {
  const body = (await res.json()) as { result: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.result;
}

export { eventually, expectProblem } from '@seam/platform/testing';
