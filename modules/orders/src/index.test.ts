// The orders module's exported surface and its OpenAPI document.
import { readdir } from 'node:fs/promises';
import { ordersContract } from '@seam/orders-contract';
import type { OpenApiDocument } from '@seam/platform';
import type { DocumentedOperation } from '@seam/platform/testing';
import { describe, expect, it } from 'vitest';
import ordersModule from './index.js';
import { useOrders } from './test-support.js';

const t = useOrders();

describe('exported surface', () => {
  it('pins the contract name, operation, routes and events', () => {
    expect(ordersModule.contract).toBe(ordersContract);
    expect(ordersContract.name).toBe('orders');
    expect(Object.keys(ordersContract.operations)).toEqual(['getOrder']);
    expect(ordersContract.operations.getOrder.idempotent).toBe(true);
    expect(
      Object.entries(ordersContract.routes).map(
        ([name, route]) => `${name} ${route.method.toUpperCase()} ${route.path}`,
      ),
    ).toEqual([
      'checkout POST /',
      'listOrders GET /',
      'getOrder GET /{id}',
      'cancelOrder POST /{id}/cancel',
    ]);
    expect(Object.values(ordersContract.events ?? {}).map((e) => `${e.type}@${e.version}`)).toEqual(
      ['orders.OrderConfirmed@1', 'orders.OrderFailed@1', 'orders.OrderCancelled@1'],
    );
    expect(ordersModule.consumes ?? []).toEqual([]);
    expect(Object.keys(ordersModule.config ?? {})).toEqual([
      'SEAM_SAGA_TIMEOUT_SECONDS',
      'SEAM_CHECKOUT_DEADLINE_SECONDS',
      'SEAM_TEST_CRASH_AFTER',
    ]);
  });

  it('ships its migrations folder', async () => {
    expect(await readdir(ordersModule.migrationsFolder)).toContain('meta');
  });
});

describe('OpenAPI document', () => {
  const operation = (doc: OpenApiDocument, path: string, method: string) =>
    doc.paths?.[path]?.[method] as DocumentedOperation | undefined;

  it('documents every route with summary, tags, bearer security and its error responses', () => {
    const expected: Record<string, string[]> = {
      'post /api/orders': ['201', '400', '401', '409', '413', '415', '422', '503'],
      'get /api/orders': ['200', '400', '401'],
      'get /api/orders/{id}': ['200', '400', '401', '404'],
      'post /api/orders/{id}/cancel': ['200', '400', '401', '404', '409', '503'],
    };
    for (const [key, statuses] of Object.entries(expected)) {
      const [method, path] = key.split(' ') as [string, string];
      const op = operation(t.host.document, path, method);
      expect(op, key).toBeDefined();
      expect(op!.summary, key).toEqual(expect.any(String));
      expect(op!.tags, key).toEqual(['orders']);
      expect(op!.security, key).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op!.responses).sort(), key).toEqual(statuses);
    }
  });

  it('documents the Idempotency-Key header as required on checkout', () => {
    const op = operation(t.host.document, '/api/orders', 'post');
    expect(op?.parameters).toEqual([
      expect.objectContaining({ name: 'idempotency-key', in: 'header', required: true }),
    ]);
  });

  it('registers the Order schemas as components', () => {
    expect(Object.keys(t.host.document.components?.schemas ?? {})).toEqual(
      expect.arrayContaining([
        'Order',
        'OrderItem',
        'OrderPage',
        'CheckoutRequest',
        'ShippingAddress',
      ]),
    );
  });
});
