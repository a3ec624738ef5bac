// The bad-input fuzz suite: requests generated with fast-check from the served
// OpenAPI document (GET /openapi.json) for every operation — valid ones and ones
// with wrong types, missing and extra fields, boundary and huge numbers, odd and
// very long strings, odd path ids, wrong content types, invalid JSON, deep and
// huge bodies, and every kind of credential (none, garbled, forged, expired,
// `alg: none`, unknown key id, real tokens of a customer and an admin) — sent 16
// at a time to the monolith (a real server process) and through the gateway of
// topology/split.json. Every answer must be under 500; every 4xx a problem
// document; none may reset the connection or hang (10 s) — except that a body
// over its route's limit, a head over Node's 16 KiB, or an invalid request's
// large body may be cut off when the server refuses it early and closes (the
// "cut off" column; a valid request is never excused); a request the
// document accepts, with a real token, must succeed or be refused as documented
// (404 for an id of nothing, 409 for a conflict), never as invalid. Afterwards
// the shop is ready and a shopper still buys.
//
// Seeded: the seed is printed and SEAM_FUZZ_SEED replays it. SEAM_FUZZ_RUNS is
// the monolith's request count (10 000; the split gets a fifth, at least 2 000
// by default); SEAM_FUZZ_BUDGET_S bounds each run (240 s), and a run that has
// not sent its count by then fails.
import { join } from 'node:path';
import { loadTopology } from '@seam/platform';
import { REPO_ROOT, startTopology, type TopologyRun } from '@seam/platform/processes';
import { createTopologyDatabases, type TopologyDatabases } from '@seam/platform/testing';
import { fetchRequester, shop } from '@seam/shopper';
import { AUTH_BODY_LIMIT_BYTES } from '@seam/users-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHeaders,
  createFuzzKey,
  formatTable,
  runFuzz,
  type FuzzResult,
  type Pools,
} from './support/fuzz.js';
import { ADMIN, ADMIN_ENV } from './support/journey.js';
import { operationsOf } from './support/openapi-arbitraries.js';
import { startServer, type RunningServer } from './support/server.js';

const SEED = Number(process.env.SEAM_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.SEAM_FUZZ_RUNS ?? 10_000);
const SPLIT_RUNS = Math.max(Math.floor(RUNS / 5), process.env.SEAM_FUZZ_RUNS ? 1 : 2_000);
const BUDGET_MS = Number(process.env.SEAM_FUZZ_BUDGET_S ?? 240) * 1000;
const CONCURRENCY = 16;
const TIMEOUT_MS = 10_000;
/** The server's default SEAM_BODY_LIMIT_BYTES. */
const BODY_LIMIT_BYTES = 1024 * 1024;
/** Sign-up and sign-in read at most AUTH_BODY_LIMIT_BYTES (413 and close beyond it). */
const BODY_LIMITS = {
  'POST /api/users/register': AUTH_BODY_LIMIT_BYTES,
  'POST /api/users/login': AUTH_BODY_LIMIT_BYTES,
};
/** STRICT fails the run on a mismatch too; by default mismatches are printed and counted. */
const STRICT = process.env.SEAM_FUZZ_STRICT === '1';

const key = createFuzzKey();
// Every process trusts loopback proxies, so the shopper who buys after the fuzz can
// come from another address (X-Forwarded-For) than the fuzz, whose sign-ups and
// log-ins have used up loopback's rate limits (their 429s are fuzzed answers too).
const env = { ...ADMIN_ENV, ...key.env, SEAM_DEMO_DATA: 'true', SEAM_TRUST_PROXY: 'loopback' };

console.info(`fuzz seed ${SEED} (SEAM_FUZZ_SEED=${SEED} replays this run)`);

/**
 * fuzz prepares a customer (with an order), the admin and the known ids, runs
 * `count` requests against `baseUrl`, prints the table and checks the verdicts.
 */
async function fuzz(title: string, baseUrl: string, count: number, logs: () => string) {
  const api = shop(fetchRequester(baseUrl, { timeoutMs: 30_000 }));
  const doc = await api.expect<unknown>(200, 'GET', '/openapi.json');
  const operations = operationsOf(doc);
  expect(operations.length).toBeGreaterThan(20);

  const admin = await api.logIn(ADMIN.email, ADMIN.password);
  const customer = await api.signUp('Fuzz');
  const [product] = await api.products(1);
  await api.addToCart(customer, product!, 1);
  const order = await api.placeOrder(customer);
  // Event deliveries are listed per process: the gateway of a split routes none.
  const listed = await api.send('GET', '/api/events/deliveries?limit=20', { token: admin });
  const deliveries = (listed.status === 200 ? await listed.json() : { items: [] }) as {
    items: { id: string }[];
  };
  const pools: Pools = {
    product: (await api.products(100)).map((p) => p.id),
    order: [order.id],
    delivery: deliveries.items.map((d) => d.id),
    user: [customer.id],
  };

  const result = await runFuzz({
    baseUrl,
    operations,
    seed: SEED,
    count,
    budgetMs: BUDGET_MS,
    concurrency: CONCURRENCY,
    timeoutMs: TIMEOUT_MS,
    bodyLimitBytes: BODY_LIMIT_BYTES,
    bodyLimits: BODY_LIMITS,
    auth: authHeaders(key, { customer: customer.token, admin }),
    pools,
    learn: (request, status, body) => {
      const id = (body as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'string') return;
      if (request.operation === 'POST /api/catalog/products' && pools.product.length < 500) {
        pools.product.push(id);
      }
      if (request.operation === 'POST /api/orders' && pools.order.length < 500) {
        pools.order.push(id);
      }
    },
  });
  console.info(formatTable(title, result, SEED));
  report(result, count, logs);

  // Afterwards the shop is ready and sells: a new shopper buys a new product.
  expect((await api.send('GET', '/health/ready')).status).toBe(200);
  const fresh = await api.createProduct(admin, { amount: 1234, currency: 'EUR' });
  await api.setStock(admin, fresh.id, 10);
  const elsewhere = fetchRequester(baseUrl, { timeoutMs: 30_000 });
  const buyer = shop((path, init) =>
    elsewhere(path, { ...init, headers: { ...init.headers, 'x-forwarded-for': '203.0.113.7' } }),
  );
  const shopper = await buyer.signUp('AfterFuzz');
  await buyer.addToCart(shopper, fresh, 2);
  expect((await buyer.placeOrder(shopper)).status).toBe('confirmed');
}

function report(result: FuzzResult, count: number, logs: () => string) {
  const mismatches = [...result.mismatches.entries()].flatMap(([op, list]) => [`${op}:`, ...list]);
  if (mismatches.length > 0) {
    console.warn(`requests the document accepts, refused otherwise:\n${mismatches.join('\n')}`);
  }
  if (result.failureCount > 0) {
    // The servers' warnings and errors (ejected replicas, failed upstreams, crashes)
    // say why; the assertion's message carries a summary, which is what a CI
    // log's tail shows.
    const lines = logs()
      .split('\n')
      .filter((line) => /"level":(40|50|60)/.test(line));
    const kinds = [...result.failureKinds.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([kind, n]) => `${n} × ${kind}`);
    console.error(
      `${result.failureCount} broken answers (seed ${SEED}); the first:\n${result.failures.join('\n')}` +
        `\n--- server warnings and errors ---\n${lines.slice(0, 40).join('\n')}`,
    );
    expect.fail(
      `seed ${SEED}: ${result.failureCount} broken answers:\n${kinds.join('\n')}\n` +
        `first server warnings:\n${lines
          .slice(0, 4)
          .map((line) => line.slice(0, 300))
          .join('\n')}`,
    );
  }
  if (STRICT) expect(mismatches, `seed ${SEED}`).toEqual([]);
  expect(result.sent, `requests sent within ${BUDGET_MS / 1000} s (seed ${SEED})`).toBe(count);
}

describe('bad input against the monolith', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ ...env, LOG_LEVEL: 'warn' });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it(
    `answers ${RUNS} generated requests without a 5xx, a plain 4xx, a reset or a hang`,
    async () => {
      await fuzz('monolith', server.url, RUNS, () => server.logs());
    },
    BUDGET_MS + 120_000,
  );
});

describe('bad input through the gateway of the split topology', () => {
  let run: TopologyRun;
  let databases: TopologyDatabases;

  beforeAll(async () => {
    const topology = await loadTopology(join(REPO_ROOT, 'topology/split.json'));
    databases = await createTopologyDatabases(topology);
    run = await startTopology({
      topology,
      serviceEnv: databases.serviceEnv,
      env: { ...env, LOG_LEVEL: 'warn' },
    });
  }, 240_000);

  afterAll(async () => {
    await run?.stop();
    await databases?.dispose();
  });

  it(
    `answers ${SPLIT_RUNS} generated requests without a 5xx, a plain 4xx, a reset or a hang`,
    async () => {
      await fuzz('split', run.url, SPLIT_RUNS, () => run.logs());
    },
    BUDGET_MS + 120_000,
  );
});
