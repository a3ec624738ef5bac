// The database goes away under load and comes back: the monolith reaches Postgres
// through a TCP proxy this test cuts for 5 s (every connection dropped, new ones
// refused — what a Postgres restart looks like from the client) while shoppers
// keep browsing, filling carts and checking out. While it is down /health/ready
// answers 503 and every request that needs the database answers a 503 problem —
// never a 500, a reset or a hang; once it is back the server is ready again within
// seconds, every order ends final and every confirmed order's event is delivered.
import { randomUUID } from 'node:crypto';
import type { Product } from '@seam/catalog-contract';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import {
  createTestDatabase,
  eventually,
  startFaultProxy,
  type FaultProxy,
  type TestDatabase,
} from '@seam/platform/testing';
import { fetchRequester, shop, SUCCESS, UnexpectedStatusError, type Shopper } from '@seam/shopper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNotified } from './support/notified.js';

const WORKERS = 4;
const OUTAGE_MS = 5_000;

let database: TestDatabase;
let proxy: FaultProxy;
let server: RunningProcess;

beforeAll(async () => {
  database = await createTestDatabase();
  const direct = new URL(database.env.DATABASE_URL!);
  proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const viaProxy = new URL(direct);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  server = await startProcess({
    env: {
      DATABASE_URL: viaProxy.toString(),
      SEAM_DEMO_DATA: 'true',
      SEAM_SAGA_TIMEOUT_SECONDS: '5',
      SEAM_EVENT_RETRY_BASE_MS: '100',
      SEAM_EVENT_RETRY_MAX_MS: '1000',
    },
  });
}, 120_000);

afterAll(async () => {
  if (server && (await Promise.race([server.exited, Promise.resolve(undefined)]))) {
    console.info(`server exited; its output:\n${server.logs().slice(-4000)}`);
  }
  await server?.stop();
  await proxy?.close();
  await database?.dispose();
});

describe('Postgres unreachable for 5 s under load', () => {
  it('answers 503 problems while it is down, is ready again soon after, and loses nothing', async () => {
    const api = shop(fetchRequester(server.url, { timeoutMs: 20_000 }));
    const [product] = (await api.products(1)) as [Product];
    await eventually(async () =>
      expect((await api.stockOf(product.id)).available).toBeGreaterThan(5),
    );
    const shoppers: Shopper[] = [];
    for (let i = 0; i < WORKERS; i++) shoppers.push(await api.signUp(`Outage${i}`));

    const seen = new Map<string, number>();
    const bad: string[] = [];
    const confirmed: { shopper: Shopper; orderId: string }[] = [];
    const note = (label: string) => seen.set(label, (seen.get(label) ?? 0) + 1);
    let stopping = false;
    const attempt = async (name: string, call: () => Promise<unknown>) => {
      try {
        await call();
        note(`${name} ok`);
      } catch (error) {
        if (error instanceof UnexpectedStatusError && error.status === 503) {
          const problem = JSON.parse(error.body) as { type?: string; code?: string };
          if (problem.type?.startsWith('urn:seam:problem:')) {
            note(`${name} 503 ${problem.code}`);
            return;
          }
        }
        if (error instanceof UnexpectedStatusError && error.status < 500) {
          note(`${name} ${error.status}`);
          return;
        }
        bad.push(`${name}: ${(error as Error).message.slice(0, 300)}`);
      }
    };
    const worker = async (shopper: Shopper) => {
      while (!stopping) {
        await attempt('get', () => api.expect(200, 'GET', `/api/catalog/products/${product.id}`));
        await attempt('add', () => api.addToCart(shopper, product, 1));
        await attempt('checkout', async () => {
          const order = await api.placeOrder(shopper, SUCCESS, randomUUID());
          if (order.status === 'confirmed') confirmed.push({ shopper, orderId: order.id });
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const load = Promise.all(shoppers.map(worker));

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    proxy.cut();
    const cutAt = Date.now();
    await eventually(async () => {
      expect((await api.send('GET', '/health/ready')).status).toBe(503);
    }, 10_000);
    const notReadyMs = Date.now() - cutAt;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - notReadyMs)));
    proxy.restore();
    const restoredAt = Date.now();
    await eventually(async () => {
      expect((await api.send('GET', '/health/ready')).status).toBe(200);
    }, 30_000);
    const backMs = Date.now() - restoredAt;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    stopping = true;
    await load;

    console.info(
      `database outage: not ready ${notReadyMs} ms after the cut, ready ${backMs} ms after the restore; answers: ${[
        ...seen,
      ]
        .map(([label, count]) => `${label} ${count}`)
        .join(', ')}`,
    );
    if (bad.length > 0) {
      // A 500 names its request id; the server's log line for it says what went wrong.
      const ids = bad.flatMap((line) =>
        [...line.matchAll(/request id ([0-9a-f-]{36})/g)].map((m) => m[1]!),
      );
      const lines = server.logs().split('\n');
      console.info(
        `server log for the unexpected answers:\n${lines
          .filter((line) => ids.some((id) => line.includes(id)))
          .join('\n')
          .slice(0, 8000)}`,
      );
    }
    expect(bad).toEqual([]);
    expect([...seen.keys()].some((label) => label.includes('503'))).toBe(true);
    expect(backMs).toBeLessThan(10_000);
    expect(confirmed.length).toBeGreaterThan(0);

    // Every order ends final (recovery finishes those the outage interrupted), and
    // every confirmed one is notified: its event was not lost.
    await eventually(async () => {
      for (const shopper of shoppers) {
        for (const order of await api.orders(shopper)) {
          expect(['confirmed', 'failed'], `order ${order.id}`).toContain(order.status);
        }
      }
    }, 60_000);
    await expectNotified(api, confirmed, 30_000);
  }, 240_000);
});
