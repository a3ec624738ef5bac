// The module graph of the real shop: the calls each module's setup asked
// clients for and the events each one consumes, as the host records them — in
// the monolith and in a process hosting only some modules.
import { startTestHost, type TestHost } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwks, modules } from './modules.js';

const SHOP_CALLS = [
  { from: 'inventory', to: 'catalog' },
  { from: 'cart', to: 'catalog' },
  { from: 'orders', to: 'cart' },
  { from: 'orders', to: 'catalog' },
  { from: 'orders', to: 'inventory' },
  { from: 'orders', to: 'payments' },
  { from: 'notifications', to: 'users' },
];

const SHOP_EVENTS = [
  { from: 'orders', to: 'notifications', event: 'orders.OrderCancelled' },
  { from: 'orders', to: 'cart', event: 'orders.OrderConfirmed' },
  { from: 'orders', to: 'notifications', event: 'orders.OrderConfirmed' },
  { from: 'orders', to: 'notifications', event: 'orders.OrderFailed' },
  { from: 'users', to: 'notifications', event: 'users.UserRegistered' },
];

describe('the module graph of the monolith', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost({ modules, jwks });
  });
  afterAll(() => t?.close());

  it('has the seven modules in start order', () => {
    expect(t.host.graph.modules.map((m) => m.name)).toEqual([
      'users',
      'catalog',
      'inventory',
      'cart',
      'payments',
      'orders',
      'notifications',
    ]);
  });

  it('has the calls the modules make, derived from the clients they asked for', () => {
    expect(t.host.graph.calls).toEqual(SHOP_CALLS);
  });

  it('has an event edge for every consumed event', () => {
    expect(t.host.graph.events).toEqual(SHOP_EVENTS);
  });

  it('names the events each module publishes, with a subscriber for each consumed one', () => {
    const published = t.host.graph.modules.flatMap((m) => m.publishes.map((e) => e.type));
    for (const edge of t.host.graph.events) expect(published).toContain(edge.event);
  });

  it('marks checkout as a route for signed-in users and product creation as admin only', () => {
    const routes = t.host.graph.modules.flatMap((m) => m.routes);
    expect(routes).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/api/orders', auth: 'user' }),
    );
    expect(routes).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/api/catalog/products', auth: 'admin' }),
    );
  });

  it('lists the payments operations with their idempotency, as the saga retries them', () => {
    const payments = t.host.graph.modules.find((m) => m.name === 'payments')!;
    expect(payments.operations.map((o) => [o.name, o.idempotent])).toEqual([
      ['tokenizeCard', true],
      ['charge', true],
      ['refund', true],
      ['getPayment', true],
    ]);
  });
});

describe('the module graph of a process hosting orders and notifications only', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost({
      modules,
      jwks,
      env: { SEAM_MODULES: 'orders,notifications' },
    });
  });
  afterAll(() => t?.close());

  it('records the calls of the hosted modules though their callees run elsewhere', () => {
    expect(t.host.graph.modules.map((m) => m.name)).toEqual(['orders', 'notifications']);
    expect(t.host.graph.calls).toEqual(
      SHOP_CALLS.filter((edge) => edge.from === 'orders' || edge.from === 'notifications'),
    );
    expect(t.host.graph.events).toEqual(SHOP_EVENTS.filter((edge) => edge.to === 'notifications'));
  });
});
