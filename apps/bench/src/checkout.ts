// Benchmark: checkout throughput and latency on the real server, and the outbox
// lag from an order's commit to the notifications handler.
//
//   npx tsx apps/bench/src/checkout.ts [--orders 300] [--concurrency 16] [--warmup 20]
//
// The same settings can come from BENCH_ORDERS, BENCH_CONCURRENCY and
// BENCH_WARMUP. The server runs as a child process (`node --import tsx
// apps/server/src/main.ts`) on a fresh database on the Postgres server that
// DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/postgres);
// `--pglite` runs it on PGlite in a temporary folder instead. One shopper per
// order: each registers, logs in and fills a cart with two products before the
// clock starts; then every checkout (the full saga: cart, catalog, reserve,
// charge, commit, confirm + event) runs with at most `concurrency` in flight.
import { randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '@seam/platform/testing';
import { startProcess, type RunningProcess } from '@seam/platform/processes';

const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password-1' };
const CARD = '4242 4242 4242 4242';
const ADDRESS = {
  name: 'Bench',
  line1: '1 Load St',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};

interface Settings {
  orders: number;
  concurrency: number;
  warmup: number;
  pglite: boolean;
}

interface Shopper {
  token: string;
}

const settings = readSettings();
if (!settings.pglite) {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
} else {
  delete process.env.DATABASE_URL;
}
const database = await createTestDatabase();
let server: RunningProcess | undefined;

try {
  printMachine(settings, database.kind);
  server = await startProcess({
    name: 'seam',
    env: {
      LOG_LEVEL: 'warn',
      SEAM_DEMO_DATA: 'true',
      SEAM_ADMIN_EMAIL: ADMIN.email,
      SEAM_ADMIN_PASSWORD: ADMIN.password,
      ...database.env,
    },
  });
  const api = client(server.url);
  console.log(`server ready in ${Math.round(server.readyMs)} ms`);

  section('Setup (not timed)');
  const products = await euroProducts(api, 2);
  const admin = await api.logIn(ADMIN.email, ADMIN.password);
  for (const product of products) {
    await api.expect(
      200,
      'PUT',
      `/api/inventory/stock/${product.id}`,
      { available: 1_000_000 },
      admin,
    );
  }
  const total = settings.warmup + settings.orders;
  const started = performance.now();
  const shoppers = await pool(total, settings.concurrency, async () => {
    const shopper = await api.signUp();
    for (const product of products) {
      await api.expect(
        200,
        'POST',
        '/api/cart/items',
        { productId: product.id, quantity: 1 },
        shopper.token,
      );
    }
    return shopper;
  });
  console.log(
    `${total} shoppers registered, logged in, carts filled in ${ms(performance.now() - started)}`,
  );

  section(`Checkout: ${settings.orders} orders, ${settings.concurrency} in flight`);
  await pool(settings.warmup, settings.concurrency, (i) => checkout(api, shoppers[i]!));
  const measured = shoppers.slice(settings.warmup);
  const clock = performance.now();
  const results = await pool(measured.length, settings.concurrency, (i) =>
    checkout(api, measured[i]!),
  );
  const wallMs = performance.now() - clock;
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const confirmed = results.filter((r) => r.status === 'confirmed').length;
  console.log(`orders/s       ${(results.length / (wallMs / 1000)).toFixed(1)}`);
  console.log(`latency p50    ${percentile(latencies, 50).toFixed(1)} ms`);
  console.log(`latency p99    ${percentile(latencies, 99).toFixed(1)} ms`);
  console.log(`latency max    ${latencies.at(-1)!.toFixed(1)} ms`);
  console.log(`confirmed      ${confirmed} of ${results.length} (wall ${ms(wallMs)})`);
  if (confirmed !== results.length)
    throw new Error('Some checkouts did not confirm; the figures are meaningless');

  section('Outbox lag: order confirmed (commit) → notification recorded (handler)');
  const lags = await pool(results.length, settings.concurrency, async (i) => {
    const result = results[i]!;
    const note = await waitForNotification(api, measured[i]!, result.orderId);
    return Date.parse(note.createdAt) - Date.parse(result.updatedAt);
  });
  lags.sort((a, b) => a - b);
  console.log(`lag p50        ${percentile(lags, 50).toFixed(0)} ms`);
  console.log(`lag p99        ${percentile(lags, 99).toFixed(0)} ms`);
  console.log(`lag max        ${lags.at(-1)!.toFixed(0)} ms`);
  console.log(
    '(the notification handler also calls users.getUser; the dispatcher is kicked 5 ms after each publish and polls every SEAM_EVENT_POLL_MS = 250 ms otherwise)',
  );
  console.log(
    `\nload average at the end: ${loadavg()
      .map((v) => v.toFixed(2))
      .join(', ')}`,
  );
} finally {
  await server?.stop().catch(() => {});
  await database.dispose().catch(() => {});
}

async function checkout(api: Api, shopper: Shopper) {
  const started = performance.now();
  const order = (await api.expect(
    201,
    'POST',
    '/api/orders',
    { paymentMethod: { card: CARD }, shippingAddress: ADDRESS },
    shopper.token,
    { 'idempotency-key': randomUUID() },
  )) as { id: string; status: string; updatedAt: string };
  return {
    ms: performance.now() - started,
    orderId: order.id,
    status: order.status,
    updatedAt: order.updatedAt,
  };
}

async function waitForNotification(api: Api, shopper: Shopper, orderId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { items } = (await api.expect(
      200,
      'GET',
      '/api/notifications',
      undefined,
      shopper.token,
    )) as {
      items: { kind: string; orderId: string | null; createdAt: string }[];
    };
    const note = items.find((n) => n.kind === 'order-confirmed' && n.orderId === orderId);
    if (note) return note;
    if (Date.now() > deadline) throw new Error(`No order-confirmed notification for ${orderId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function euroProducts(api: Api, count: number): Promise<{ id: string }[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = (await api.expect(200, 'GET', '/api/catalog/products?limit=100')) as {
      items: { id: string; price: { currency: string } }[];
    };
    const picked = page.items.filter((p) => p.price.currency === 'EUR').slice(0, count);
    if (picked.length === count) return picked;
    if (Date.now() > deadline) throw new Error('The demo catalog has too few EUR products');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type Api = ReturnType<typeof client>;

function client(baseUrl: string) {
  const api = {
    async expect(
      status: number,
      method: string,
      path: string,
      body?: unknown,
      token?: string,
      extra: Record<string, string> = {},
    ): Promise<unknown> {
      const headers: Record<string, string> = { ...extra };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status !== status) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async logIn(email: string, password: string): Promise<string> {
      const { accessToken } = (await api.expect(200, 'POST', '/api/users/login', {
        email,
        password,
      })) as {
        accessToken: string;
      };
      return accessToken;
    },
    async signUp(): Promise<Shopper> {
      const email = `shopper-${randomUUID()}@example.com`;
      const password = 'correct horse battery staple';
      await api.expect(201, 'POST', '/api/users/register', { email, password, name: 'Shopper' });
      return { token: await api.logIn(email, password) };
    },
  };
  return api;
}

/** pool runs task(0..count-1) with at most `limit` at a time and keeps the results in order. */
async function pool<T>(
  count: number,
  limit: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      pglite: { type: 'boolean' },
    },
  });
  const pick = (
    name: 'orders' | 'concurrency' | 'warmup',
    fallback: number,
    min: number,
  ): number => {
    const raw = values[name] ?? process.env[`BENCH_${name.toUpperCase()}`];
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} (or BENCH_${name.toUpperCase()}) must be an integer ≥ ${min}`);
    }
    return value;
  };
  return {
    orders: pick('orders', 300, 1),
    concurrency: pick('concurrency', 16, 1),
    warmup: pick('warmup', 20, 0),
    pglite: values.pglite ?? false,
  };
}

function printMachine(options: Settings, databaseKind: string): void {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`,
  );
  console.log(
    `load average: ${loadavg()
      .map((v) => v.toFixed(2))
      .join(', ')} (1, 5, 15 min)`,
  );
  console.log(
    `settings: ${options.orders} orders after ${options.warmup} warm-up, ${options.concurrency} in flight, database ${databaseKind}, server LOG_LEVEL=warn`,
  );
}

function section(title: string): void {
  console.log(`\n== ${title}`);
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
