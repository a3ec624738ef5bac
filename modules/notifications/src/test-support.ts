// Helpers shared by the notifications tests (not part of the module's surface):
// a host running notifications — alone, or with stub users and orders modules
// built on their contracts — test tokens, event envelopes and request shortcuts.
// The real users module is exercised in apps/server/src/notifications.test.ts.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Notification } from '@seam/notifications-contract';
import { OrderCancelled, OrderConfirmed, OrderFailed, ordersContract } from '@seam/orders-contract';
import {
  AppError,
  defineModule,
  type Database,
  type EventDefinition,
  type EventEnvelope,
  type Events,
  type z,
} from '@seam/platform';
import {
  jsonRequest,
  startTestHostWithTokens,
  type TestHostWithTokens,
} from '@seam/platform/testing';
import { UserRegistered, usersContract, type User } from '@seam/users-contract';
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

/** usersStub is what the stub users module answers; tests change it freely. */
export const usersStub = { users: new Map<string, User>(), down: false, lookups: 0 };

/** stubUser puts a user in the stub users module and returns it. */
export function stubUser(name = 'Ada Lovelace'): User {
  const id = randomUUID();
  const user: User = {
    id,
    email: `${id.slice(0, 8)}@example.com`,
    name,
    role: 'customer',
    createdAt: new Date().toISOString(),
  };
  usersStub.users.set(id, user);
  return user;
}

/** usersStubModule implements the users contract's operations from usersStub. */
export const usersStubModule = defineModule({
  contract: usersContract,
  migrationsFolder: fileURLToPath(new URL('../test/users-stub-migrations', import.meta.url)),
  setup: () => ({
    operations: {
      getJwks: async () => ({ keys: [] }),
      async getUser({ id }) {
        usersStub.lookups += 1;
        if (usersStub.down) {
          throw AppError.unavailable('The stub users module is down', 'module-unreachable');
        }
        const user = usersStub.users.get(id);
        if (!user) throw AppError.notFound(`User ${id} does not exist`, 'users.user-not-found');
        return user;
      },
    },
    routes() {},
  }),
});

const ordersStubState: { db?: Database; events?: Events } = {};

/** ordersStubModule publishes the orders contract's events (see publishOrderEvent). */
export const ordersStubModule = defineModule({
  contract: ordersContract,
  migrationsFolder: fileURLToPath(new URL('../test/orders-stub-migrations', import.meta.url)),
  setup: ({ db, events }) => {
    Object.assign(ordersStubState, { db, events });
    return {
      operations: {
        getOrder: async ({ id }) => {
          throw AppError.notFound(`Order ${id} does not exist`);
        },
      },
      routes() {},
    };
  },
});

/** publishOrderEvent publishes through the stub orders module's outbox, as orders would. */
export async function publishOrderEvent<E extends EventDefinition>(
  event: E,
  payload: z.input<E['payload']>,
): Promise<EventEnvelope> {
  const { db, events } = ordersStubState;
  if (!db || !events) throw new Error('the orders stub is not hosted');
  return db.transaction((tx) => events.publish(tx as unknown as Database, event, payload));
}

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
 * nothing else (users unreachable), `with-stubs` adds the stub users and orders.
 */
export async function startNotifications(
  mode: 'alone' | 'with-stubs',
  env: Record<string, string> = {},
): Promise<NotificationsTestHost> {
  const t = await startTestHostWithTokens({
    modules:
      mode === 'alone'
        ? [notificationsModule]
        : [notificationsModule, usersStubModule, ordersStubModule],
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
