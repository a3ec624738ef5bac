// The notifications module's exported surface and its OpenAPI document.
import { readdir } from 'node:fs/promises';
import { NotificationSchema, notificationsContract } from '@seam/notifications-contract';
import { OrderCancelled, OrderConfirmed, OrderFailed } from '@seam/orders-contract';
import { UserRegistered } from '@seam/users-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import notificationsModule from './index.js';
import { NOTIFICATION_KINDS } from './schema.js';
import { startNotifications, type NotificationsTestHost } from './test-support.js';

let t: NotificationsTestHost;
beforeAll(async () => {
  t = await startNotifications('alone');
});
afterAll(() => t?.close());

describe('exported surface', () => {
  it('pins the contract, its single route, no operations and the consumed events', () => {
    expect(notificationsModule.contract).toBe(notificationsContract);
    expect(notificationsContract.name).toBe('notifications');
    expect(notificationsContract.operations).toEqual({});
    expect(
      Object.entries(notificationsContract.routes).map(
        ([name, route]) => `${name} ${route.method.toUpperCase()} ${route.path}`,
      ),
    ).toEqual(['listNotifications GET /']);
    expect(notificationsModule.consumes).toEqual([
      UserRegistered,
      OrderConfirmed,
      OrderFailed,
      OrderCancelled,
    ]);
  });

  it('stores exactly the kinds the contract names', () => {
    expect([...NOTIFICATION_KINDS]).toEqual(NotificationSchema.shape.kind.options);
  });

  it('ships its migrations folder', async () => {
    expect(await readdir(notificationsModule.migrationsFolder)).toEqual(
      expect.arrayContaining(['0000_init.sql', 'meta']),
    );
  });
});

describe('OpenAPI document', () => {
  it('documents GET /api/notifications with bearer security, its limit and cursor, and its errors', () => {
    const op = t.host.document.paths?.['/api/notifications']?.get as {
      summary: string;
      tags: string[];
      security: unknown[];
      parameters: { name: string; in: string }[];
      responses: Record<string, unknown>;
    };
    expect(op.summary).toEqual(expect.any(String));
    expect(op.tags).toEqual(['notifications']);
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(op.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['query:limit', 'query:cursor']);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401']);
    expect(t.host.document.components?.schemas?.Notification).toBeDefined();
    expect(t.host.document.components?.schemas?.NotificationPage).toBeDefined();
  });
});
