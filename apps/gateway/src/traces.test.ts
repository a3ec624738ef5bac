// One trace across a split checkout, in one test process: the gateway in front
// of three services on loopback — `orders` alone, `notifications` alone, and
// `shop` with users, catalog, inventory, cart and payments — so every call
// orders makes and the OrderConfirmed delivery to notifications cross real
// HTTP. Spans go to an in-memory exporter; the test follows one trace id from
// the gateway's request to the notifications handler and its SQL.
import { createServer } from 'node:net';
import cart from '@seam/cart';
import catalog from '@seam/catalog';
import inventory from '@seam/inventory';
import notifications from '@seam/notifications';
import orders from '@seam/orders';
import type { Order } from '@seam/orders-contract';
import payments from '@seam/payments';
import { parseTopology, setTracingOn, type Clients } from '@seam/platform';
import { eventually, startTestHost, type TestHost } from '@seam/platform/testing';
import { fetchRequester, shop, type Shop } from '@seam/shopper';
import users from '@seam/users';
import { usersContract } from '@seam/users-contract';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './gateway.js';
import { readyGateway, startGateway } from './test-support/cluster.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

const MODULES = [users, catalog, inventory, cart, payments, orders, notifications];
const SERVICE_TOKEN = 'traces-test-service-token-0123456789abcdef';
const jwks = (clients: Clients) => clients.of(usersContract).getJwks({});

let hosts: TestHost[] = [];
let gateway: Gateway | undefined;
let api: Shop;

/** freePort asks the OS for a port nothing listens on. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

beforeAll(async () => {
  provider.register();
  setTracingOn(true);
  const [shopPort, ordersPort, notificationsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
  ]);
  const url = (port: number) => `http://127.0.0.1:${port}`;
  const services = {
    shop: {
      modules: ['users', 'catalog', 'inventory', 'cart', 'payments'],
      port: shopPort,
    },
    orders: { modules: ['orders'], port: ordersPort },
    notifications: { modules: ['notifications'], port: notificationsPort },
  };
  const remotes = Object.values(services)
    .flatMap((s) => s.modules.map((m) => `${m}=${url(s.port)}`))
    .join(',');
  hosts = await Promise.all(
    Object.entries(services).map(async ([service, s]) => {
      const host = await startTestHost({
        modules: MODULES,
        jwks,
        env: {
          SEAM_SERVICE: service,
          SEAM_MODULES: s.modules.join(','),
          SEAM_REMOTES: remotes,
          SEAM_SERVICE_TOKEN: SERVICE_TOKEN,
          SEAM_DEMO_DATA: service === 'shop' ? 'true' : 'false',
          SEAM_EVENT_POLL_MS: '50',
          SEAM_EVENT_RETRY_BASE_MS: '50',
        },
      });
      await host.host.listen(s.port);
      return host;
    }),
  );
  const topology = parseTopology({
    services: Object.fromEntries(
      Object.entries(services).map(([name, s]) => [
        name,
        { modules: s.modules, replicas: [url(s.port)] },
      ]),
    ),
  });
  const started = await startGateway(topology);
  gateway = started.gateway;
  await readyGateway(started.url);
  api = shop(fetchRequester(started.url));
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all(hosts.map((host) => host.close()));
  setTracingOn(false);
  await provider.shutdown();
});

/** spansOf is every finished span of one trace. */
const spansOf = (traceId: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** chain is the names from `span` up to the trace's root. */
function chain(span: ReadableSpan, spans: ReadableSpan[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  const names = [span.name];
  for (let at = byId.get(parentOf(span) ?? ''); at; at = byId.get(parentOf(at) ?? '')) {
    names.push(at.name);
  }
  return names.reverse();
}

describe('a split checkout', () => {
  let order: Order;
  let traceId: string;
  let spans: ReadableSpan[];

  beforeAll(async () => {
    const shopper = await api.signUp('Tracy');
    const [product] = await api.products(1);
    await eventually(async () => expect((await api.stockOf(product!.id)).available).toBe(25));
    await api.addToCart(shopper, product!, 1);
    exporter.reset();
    order = await api.placeOrder(shopper);
    expect(order.status).toBe('confirmed');
    const root = exporter
      .getFinishedSpans()
      .find((span) => span.name === 'POST /api/orders/*' && parentOf(span) === undefined);
    expect(root, 'the gateway’s span of the checkout').toBeDefined();
    traceId = root!.spanContext().traceId;
    // The delivery to notifications runs after the answer: wait until it has ended.
    spans = await eventually(() => {
      const found = spansOf(traceId);
      expect(
        found.some(
          (s) =>
            s.name === 'send orders.OrderConfirmed' &&
            s.attributes['seam.module'] === 'notifications',
        ),
      ).toBe(true);
      return found;
    });
  });

  it('starts at the gateway and reaches the orders service over HTTP', () => {
    // The gateway's span (the root, its route the forwarding one), the forward, and the
    // orders service's span of the route itself.
    const gatewaySpan = spans.find((s) => parentOf(s) === undefined)!;
    expect(gatewaySpan.kind).toBe(SpanKind.SERVER);
    expect(gatewaySpan.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/orders/*',
      'http.response.status_code': 201,
      'seam.module': 'orders',
    });
    const ordersSpan = spans.find(
      (s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/api/orders',
    )!;
    expect(ordersSpan.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 201,
    });
    expect(chain(ordersSpan, spans)).toEqual(['POST /api/orders/*', 'POST', 'POST /api/orders']);
    const forward = spans.find((s) => s.name === 'POST' && s.kind === SpanKind.CLIENT)!;
    expect(forward.attributes).toMatchObject({
      'http.response.status_code': 201,
      'seam.module': 'orders',
      'seam.service': 'orders',
    });
  });

  it('follows orders’ calls to cart, catalog, inventory and payments over HTTP, down to SQL', () => {
    for (const module of ['cart', 'catalog', 'inventory', 'payments']) {
      const calls = spans.filter(
        (s) => s.kind === SpanKind.CLIENT && s.attributes['seam.transport'] === 'http',
      );
      const call = calls.find((s) => s.attributes['seam.module'] === module);
      expect(call, `a call from orders to ${module}`).toBeDefined();
      expect(call!.attributes['seam.caller']).toBe('orders');
      // On the callee: the internal endpoint's SERVER span, then the operation.
      const served = spans.filter((s) => s.kind === SpanKind.INTERNAL).map((s) => chain(s, spans));
      expect(served).toContainEqual([
        'POST /api/orders/*',
        'POST',
        'POST /api/orders',
        call!.name,
        'POST /internal/operations/:module/:operation',
        'POST /internal/operations/:module/:operation',
        call!.name,
      ]);
    }
    const queries = spans.filter((s) => s.attributes['db.system'] === 'postgresql');
    expect(queries.length).toBeGreaterThan(5);
    for (const query of queries) {
      expect(String(query.attributes['db.query.text']).length).toBeLessThanOrEqual(501);
      expect(query.kind).toBe(SpanKind.CLIENT);
    }
    const reservation = queries.find((q) =>
      /insert into "inventory"\."reservations"/.test(String(q.attributes['db.query.text'])),
    );
    expect(reservation, 'the stock reservation’s SQL').toBeDefined();
    expect(chain(reservation!, spans).slice(-2)).toEqual(['inventory.reserve', 'INSERT']);
  });

  it('carries the trace through the outbox to the notifications handler over HTTP', () => {
    const publish = spans.find((s) => s.name === 'publish orders.OrderConfirmed');
    expect(publish?.kind).toBe(SpanKind.PRODUCER);
    expect(publish?.attributes).toMatchObject({
      'messaging.system': 'seam',
      'messaging.operation.type': 'publish',
      'messaging.destination.name': 'orders.OrderConfirmed',
      'seam.module': 'orders',
    });
    const send = spans.find(
      (s) =>
        s.name === 'send orders.OrderConfirmed' && s.attributes['seam.module'] === 'notifications',
    );
    expect(send?.attributes).toMatchObject({
      'messaging.message.id': publish!.attributes['messaging.message.id'],
      'seam.transport': 'http',
    });
    expect(parentOf(send!)).toBe(publish!.spanContext().spanId);
    const handler = spans.find(
      (s) =>
        s.name === 'process orders.OrderConfirmed' &&
        s.attributes['seam.module'] === 'notifications',
    )!;
    expect(handler.kind).toBe(SpanKind.CONSUMER);
    // publish → send → the HTTP delivery (client, then the notifications server) → handler.
    expect(chain(handler, spans).slice(-5)).toEqual([
      'publish orders.OrderConfirmed',
      'send orders.OrderConfirmed',
      'POST /internal/events/:module',
      'POST /internal/events/:module',
      'process orders.OrderConfirmed',
    ]);
    expect(chain(handler, spans)[0]).toBe('POST /api/orders/*');
    expect(
      spans.some(
        (s) => s.attributes['db.system'] === 'postgresql' && chain(s, spans).includes(handler.name),
      ),
    ).toBe(true);
  });

  it('is one trace: nothing of the checkout starts a trace of its own', () => {
    // Every span since the checkout began that is not in the gateway's trace.
    const others = exporter
      .getFinishedSpans()
      .filter((s) => s.spanContext().traceId !== traceId)
      .map((s) => s.name);
    expect(others).toEqual([]);
    expect(spans.length).toBeGreaterThan(30);
  });
});
