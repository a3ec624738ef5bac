// The crash suite: on the split topology (every module its own process behind the
// gateway), shoppers place orders while a random service is SIGKILLed every few
// seconds and started again. Each checkout is retried with its Idempotency-Key
// until it has a final answer, as a client of the API is told to. Afterwards:
//   - every checkout answered 201 has exactly one order, in a final state, and the
//     shopper has no other order (a retry never made a second one);
//   - no order is charged twice: a confirmed order has one captured payment, a
//     failed one none;
//   - stock is conserved: initial = available + reserved + sold, nothing left held;
//   - every confirmed order's notification arrives within 30 s of the run's end;
//   - no order failed because of a crash (every card is good, stock is plenty):
//     the count of failed orders, by reason, is 0.
// It prints the counts (kills per service, checkouts, attempts, outcomes).
//
// Bounded: SEAM_CRASH_CHECKOUTS checkouts (default 1000) by SEAM_CRASH_SHOPPERS
// shoppers (16), a kill every 2–5 s (seeded by SEAM_CRASH_SEED), and a budget of
// SEAM_CRASH_BUDGET_S seconds (420) after which no new checkout starts; the run
// fails if fewer than a quarter of the checkouts were placed by then.
import { randomUUID } from 'node:crypto';
import type { TopologyRun } from '@seam/platform/processes';
import { eventually } from '@seam/platform/testing';
import type { Order } from '@seam/orders-contract';
import {
  fetchRequester,
  send as sendRequest,
  shop,
  SUCCESS,
  UnexpectedStatusError,
  type Shop,
  type Shopper,
} from '@seam/shopper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN } from './support/journey.js';
import { startSplit, type SplitRun } from './support/split.js';

const CHECKOUTS = positive('SEAM_CRASH_CHECKOUTS', 1000);
const SHOPPERS = positive('SEAM_CRASH_SHOPPERS', 16);
const SEED = positive('SEAM_CRASH_SEED', 20261201);
const BUDGET_MS = positive('SEAM_CRASH_BUDGET_S', 420) * 1000;
const INITIAL_STOCK = 1_000_000;
/** One checkout may take this long, retries included, before the run counts it unanswered. */
const CHECKOUT_DEADLINE_MS = 120_000;
const EVENT_DEADLINE_MS = 30_000;

let run: TopologyRun;
let split: SplitRun;
let api: Shop;

beforeAll(async () => {
  split = await startSplit(
    {
      SEAM_EVENT_POLL_MS: '100',
      SEAM_EVENT_RETRY_BASE_MS: '100',
      SEAM_EVENT_RETRY_MAX_MS: '1000',
      // A stalled checkout is taken over by recovery after 10 s (above the 3 s call bound).
      SEAM_SAGA_TIMEOUT_SECONDS: '10',
      SEAM_CALL_TIMEOUT_MS: '3000',
    },
    {
      SEAM_GATEWAY_TIMEOUT_MS: '10000',
      SEAM_GATEWAY_EJECT_MS: '1000',
      SEAM_GATEWAY_PROBE_MS: '500',
    },
  );
  run = split.run;
  api = shop(fetchRequester(run.url, { timeoutMs: 15_000 }));
}, 240_000);

afterAll(async () => {
  await split?.stop();
});

describe('random SIGKILLs during checkouts on the split topology', () => {
  it(
    'loses no order, charges none twice, conserves stock, delivers every event, fails none',
    async () => {
      const random = mulberry32(SEED);
      const admin = await api.logIn(ADMIN.email, ADMIN.password);
      const products = [
        await api.createProduct(admin, { amount: 1250, currency: 'EUR' }),
        await api.createProduct(admin, { amount: 399, currency: 'EUR' }),
      ];
      for (const product of products) {
        await eventually(async () => {
          await api.setStock(admin, product.id, INITIAL_STOCK);
          expect((await api.stockOf(product.id)).available).toBe(INITIAL_STOCK);
        }, 30_000);
      }
      const shoppers: Shopper[] = [];
      for (let i = 0; i < SHOPPERS; i++) shoppers.push(await api.signUp(`Crash${i}`));

      const started = Date.now();
      const placed: { shopper: Shopper; order: Order; attempts: number }[] = [];
      const unanswered: string[] = [];
      let next = 0;
      let attempts = 0;
      let finished = false;

      const kills = new Map<string, number>();
      const services = Object.keys(run.topology.services);
      const killer = (async () => {
        while (!finished) {
          await sleep(2000 + random() * 3000);
          if (finished) break;
          const service = services[Math.floor(random() * services.length)]!;
          await run.kill(service);
          kills.set(service, (kills.get(service) ?? 0) + 1);
          await sleep(random() * 1000);
          await run.restart(service);
        }
      })();

      // Each shopper places at most its share, so its notifications fit one page.
      const share = Math.ceil(CHECKOUTS / SHOPPERS);
      const shopperLoop = async (shopper: Shopper) => {
        for (let own = 0; own < share; own++) {
          if (next >= CHECKOUTS || Date.now() - started >= BUDGET_MS) break;
          next += 1;
          const deadline = Date.now() + CHECKOUT_DEADLINE_MS;
          try {
            await retrying(deadline, async () => {
              const cart = await api.cartOf(shopper);
              // The last order's confirmation empties the cart (an event); wait for it.
              if (cart.items.length > 0) throw new Retry('cart not emptied yet');
            });
            for (const product of products) {
              await retrying(deadline, () => api.addToCart(shopper, product, 1));
            }
            const key = randomUUID();
            let tries = 0;
            const order = await retrying(deadline, async () => {
              tries += 1;
              attempts += 1;
              const res = await api.checkout(shopper, SUCCESS, key);
              if (res.status === 201) return (await res.json()) as Order;
              // 409 in flight: the order is being placed or recovered; ask again.
              throw new UnexpectedStatusError(
                'POST /api/orders',
                res.status,
                201,
                await res.text(),
              );
            });
            placed.push({ shopper, order, attempts: tries });
          } catch (error) {
            unanswered.push((error as Error).message);
          }
        }
      };
      try {
        await Promise.all(shoppers.map(shopperLoop));
      } finally {
        finished = true;
        await killer;
      }
      const wallS = (Date.now() - started) / 1000;

      // Every service is back; every answered order is final and the only one of its checkout.
      await eventually(async () => {
        expect((await api.send('GET', '/health/ready')).status).toBe(200);
      }, 60_000);
      const statuses = new Map<string, number>();
      const reasons = new Map<string, number>();
      for (const { order } of placed) {
        statuses.set(order.status, (statuses.get(order.status) ?? 0) + 1);
        if (order.failureReason) {
          reasons.set(order.failureReason, (reasons.get(order.failureReason) ?? 0) + 1);
        }
      }
      const byShopper = new Map<string, string[]>();
      for (const { shopper, order } of placed) {
        byShopper.set(shopper.id, [...(byShopper.get(shopper.id) ?? []), order.id]);
      }
      let doubleCharged = 0;
      let sold = 0;
      for (const shopper of shoppers) {
        const listed = await listAll(api, shopper);
        expect(listed.map((o) => o.id).sort()).toEqual((byShopper.get(shopper.id) ?? []).sort());
        for (const order of listed) {
          expect(['confirmed', 'failed']).toContain(order.status);
          const payments = await api.paymentsOf(shopper, order.id);
          const captured = payments.filter((p) => p.status === 'captured').length;
          if (captured > 1) doubleCharged += 1;
          expect(captured, `order ${order.id} (${order.status})`).toBe(
            order.status === 'confirmed' ? 1 : 0,
          );
          if (order.status === 'confirmed') {
            sold += order.items.reduce((sum, item) => sum + item.quantity, 0);
          }
        }
      }
      let held = 0;
      let left = 0;
      for (const product of products) {
        const stock = await api.stockOf(product.id);
        held += stock.reserved;
        left += stock.available;
      }

      const retried = placed.filter((p) => p.attempts > 1).length;
      console.info(
        [
          `crash suite (seed ${SEED}, ${SHOPPERS} shoppers, split topology, ${process.env.DATABASE_URL ? 'Postgres' : 'PGlite'}): ${wallS.toFixed(0)} s`,
          `  kills: ${[...kills.values()].reduce((a, b) => a + b, 0)} (${[...kills].map(([s, n]) => `${s} ${n}`).join(', ')})`,
          `  checkouts answered 201: ${placed.length} of ${next} started, ${unanswered.length} unanswered; ${attempts} attempts, ${retried} checkouts needed more than one`,
          `  orders: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}; failed by reason: ${reasons.size === 0 ? 'none' : [...reasons].map(([r, n]) => `${r} ${n}`).join(', ')}`,
          `  charged twice: ${doubleCharged}; stock: initial ${2 * INITIAL_STOCK} = available ${left} + reserved ${held} + sold ${sold}`,
        ].join('\n'),
      );
      if (unanswered.length > 0)
        console.info(`  unanswered: ${unanswered.slice(0, 5).join(' | ')}`);

      // Events: each confirmed order's notification, within 30 s of the end.
      const eventsStarted = Date.now();
      try {
        await eventually(async () => {
          for (const shopper of shoppers) {
            const noted = new Set(
              (await api.notificationsOf(shopper))
                .filter((n) => n.kind === 'order-confirmed')
                .map((n) => n.orderId),
            );
            const missing = placed.filter(
              (p) =>
                p.shopper === shopper && p.order.status === 'confirmed' && !noted.has(p.order.id),
            );
            expect(missing.map((p) => p.order.id)).toEqual([]);
          }
        }, EVENT_DEADLINE_MS);
      } catch (error) {
        console.info(`  deliveries not delivered:\n${await undelivered(admin)}`);
        throw error;
      }
      console.info(
        `  every confirmation notified ${((Date.now() - eventsStarted) / 1000).toFixed(1)} s after the run`,
      );

      expect(unanswered).toEqual([]);
      expect(placed.length).toBeGreaterThanOrEqual(Math.ceil(CHECKOUTS / 4));
      expect([...kills.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      expect(doubleCharged).toBe(0);
      expect(held).toBe(0);
      expect(left + held + sold).toBe(2 * INITIAL_STOCK);
      expect(Object.fromEntries(reasons)).toEqual({});
      expect(statuses.get('confirmed')).toBe(placed.length);
    },
    BUDGET_MS + 300_000,
  );
});

/** Retry marks a state worth waiting out (a cart not emptied yet). */
class Retry extends Error {}

/**
 * retrying runs `call` until it succeeds or the deadline passes. It retries what
 * a crash explains — no answer at all, a 5xx, a 409 while the same key is in
 * flight, a Retry — and rethrows any other answer at once.
 */
async function retrying<T>(deadline: number, call: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await call();
    } catch (error) {
      const status = error instanceof UnexpectedStatusError ? error.status : undefined;
      const explained =
        error instanceof Retry ||
        status === undefined ||
        status >= 500 ||
        (status === 409 && /in-flight|in flight/.test(String((error as Error).message)));
      if (!explained || Date.now() > deadline) throw error;
      await sleep(150 + Math.random() * 250);
    }
  }
}

/** undelivered lists every service's pending and failed deliveries (admin API), for the failure message. */
async function undelivered(admin: string): Promise<string> {
  const lines: string[] = [];
  for (const service of Object.keys(run.topology.services)) {
    for (const status of ['pending', 'failed']) {
      const res = await sendRequest(
        fetchRequester(run.replicas(service)[0]!.url, { timeoutMs: 10_000 }),
        'GET',
        `/api/events/deliveries?status=${status}`,
        { token: admin },
      );
      const body = (await res.json()) as {
        items?: { type: string; subscriber: string; attempts: number; lastError: string | null }[];
      };
      for (const d of body.items ?? []) {
        lines.push(
          `    ${service} ${status}: ${d.type} → ${d.subscriber}, ${d.attempts} attempts, ${d.lastError}`,
        );
      }
    }
  }
  return lines.join('\n') || '    none';
}

async function listAll(api: Shop, shopper: Shopper): Promise<Order[]> {
  const orders: Order[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Order[]; nextCursor: string | null } = await api.expect(
      200,
      'GET',
      `/api/orders?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      { token: shopper.token },
    );
    orders.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return orders;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** mulberry32 is a small seeded generator, so a run's kill schedule can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}
