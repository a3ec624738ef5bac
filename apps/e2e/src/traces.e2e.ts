// A trace of one split checkout is viewable through OTLP: topology/split.json as
// real processes (each service its own, the gateway in front), every one
// exporting its spans over OTLP/HTTP JSON to a receiver this test runs. One
// checkout through the gateway must give one trace id whose spans come from the
// gateway, orders, payments, inventory and notifications (the OrderConfirmed
// handler), each span's parent in the same trace.
import { fetchRequester, shop, SUCCESS } from '@seam/shopper';
import { eventually } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from './support/otlp-receiver.js';
import { startSplit, type SplitRun } from './support/split.js';

let otlp: OtlpReceiver;
let split: SplitRun;

beforeAll(async () => {
  otlp = await startOtlpReceiver();
  split = await startSplit({
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    SEAM_EVENT_POLL_MS: '50',
  });
});

afterAll(async () => {
  await split?.stop();
  await otlp?.close();
});

describe('traces over OTLP', () => {
  it('shows one split checkout as one trace across gateway, orders, payments, inventory and notifications', async () => {
    const api = shop(fetchRequester(split.run.url, { timeoutMs: 30_000 }));
    const ada = await api.signUp('Ada');
    const [product] = await api.products(1);
    await eventually(async () => {
      expect((await api.stockOf(product!.id)).available).toBeGreaterThan(2);
    }, 30_000);
    await api.addToCart(ada, product!, 1);
    const order = await api.placeOrder(ada, SUCCESS);
    expect(order.status).toBe('confirmed');

    const checkout = await eventually(() => {
      const root = otlp.spans.find(
        (s) => s.service === 'gateway' && s.name === 'POST /api/orders/*' && !s.parentSpanId,
      );
      expect(root, 'the gateway exported the checkout').toBeDefined();
      return root!;
    }, 30_000);
    // Each process exports on its own schedule (a batch every OTEL_BSP_SCHEDULE_DELAY),
    // so a child span may arrive before its parent: wait until the trace is whole.
    const trace = await eventually(() => {
      const spans = otlp.spans.filter((s) => s.traceId === checkout.traceId);
      const services = new Set(spans.map((s) => s.service));
      for (const service of ['gateway', 'orders', 'payments', 'inventory', 'notifications']) {
        expect(services, `spans of ${service}`).toContain(service);
      }
      expect(
        spans.some(
          (s) => s.service === 'notifications' && s.name === 'process orders.OrderConfirmed',
        ),
      ).toBe(true);
      expect(spans.filter((s) => s.service === 'orders').map((s) => s.name)).toEqual(
        expect.arrayContaining([
          'POST /api/orders',
          'payments.charge',
          'inventory.reserve',
          'publish orders.OrderConfirmed',
          'send orders.OrderConfirmed',
        ]),
      );
      // Every span but the root hangs under a span of the same trace, whichever process sent it.
      const ids = new Set(spans.map((s) => s.spanId));
      const orphans = spans.filter((s) => s !== checkout && !ids.has(s.parentSpanId ?? ''));
      expect(orphans.map((s) => `${s.service}: ${s.name}`)).toEqual([]);

      const byService = (service: string) => spans.filter((s) => s.service === service);
      const charge = byService('payments').find((s) => s.name === 'payments.charge');
      expect(charge?.attributes).toMatchObject({
        'seam.module': 'payments',
        'seam.operation': 'charge',
      });
      const sql = (service: string) =>
        byService(service).filter((s: ReceivedSpan) => s.attributes['db.system'] === 'postgresql');
      expect(sql('inventory').length).toBeGreaterThan(0);
      expect(sql('notifications').length).toBeGreaterThan(0);
      return spans;
    }, 30_000);

    console.info(
      `checkout trace ${checkout.traceId}: ${trace.length} spans from ${[...new Set(trace.map((s) => s.service))].join(', ')} in ${otlp.requests} OTLP requests`,
    );
  });
});
