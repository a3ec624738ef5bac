// Benchmark: checkout throughput and latency on the real server, and the outbox
// lag from an order's commit to the notifications handler.
//
//   npx tsx apps/bench/src/checkout.ts [--orders 300] [--concurrency 16] [--warmup 20]
//
// The same settings can come from BENCH_ORDERS, BENCH_CONCURRENCY and
// BENCH_WARMUP. The server runs as a child process (`node --import tsx
// apps/server/src/main.ts`) on a fresh database on the Postgres server that
// DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/test);
// `--pglite` runs it on PGlite in a temporary folder instead. One shopper per
// order: each registers, logs in and fills a cart with two products before the
// clock starts; then every checkout (the full saga: cart, catalog, reserve,
// charge, commit, confirm + event) runs with at most `concurrency` in flight.
// `npm run bench:topologies` runs the same checkouts against every topology.
import { parseArgs } from 'node:util';
import { createTestDatabase } from '@seam/platform/testing';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import { fetchRequester, shop } from '@seam/shopper';
import { integerOption, ms, percentile, printLoadAtEnd, printMachine, section } from './report.js';
import { measureLag, prepareShoppers, runCheckouts, SHOP_ENV } from './shoppers.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string' },
    concurrency: { type: 'string' },
    warmup: { type: 'string' },
    pglite: { type: 'boolean' },
  },
});
const settings = {
  orders: integerOption('orders', values.orders, 300, 1),
  concurrency: integerOption('concurrency', values.concurrency, 16, 1),
  warmup: integerOption('warmup', values.warmup, 20, 0),
};
if (values.pglite) {
  delete process.env.DATABASE_URL;
} else {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
}
const database = await createTestDatabase();
let server: RunningProcess | undefined;

try {
  printMachine(
    `${settings.orders} orders after ${settings.warmup} warm-up, ${settings.concurrency} in flight, database ${database.kind}, server LOG_LEVEL=warn`,
  );
  server = await startProcess({ name: 'seam', env: { ...SHOP_ENV, ...database.env } });
  const api = shop(fetchRequester(server.url));
  console.log(`server ready in ${ms(server.readyMs)}`);

  section('Setup (not timed)');
  const total = settings.warmup + settings.orders;
  const started = performance.now();
  const shoppers = await prepareShoppers(api, total, settings.concurrency);
  console.log(
    `${total} shoppers registered, logged in, carts filled in ${ms(performance.now() - started)}`,
  );

  section(`Checkout: ${settings.orders} orders, ${settings.concurrency} in flight`);
  const run = await runCheckouts(api, shoppers, settings);
  console.log(`orders/s       ${run.summary.perSecond.toFixed(1)}`);
  console.log(`latency p50    ${run.summary.p50.toFixed(1)} ms`);
  console.log(`latency p99    ${run.summary.p99.toFixed(1)} ms`);
  console.log(`latency max    ${run.summary.max.toFixed(1)} ms`);
  console.log(`confirmed      ${run.confirmed} of ${run.results.length} (wall ${ms(run.wallMs)})`);
  if (run.confirmed !== run.results.length)
    throw new Error('Some checkouts did not confirm; the figures are meaningless');

  section('Outbox lag: order confirmed (commit) → notification recorded (handler)');
  const lags = await measureLag(api, run, settings.concurrency);
  console.log(`lag p50        ${percentile(lags, 50).toFixed(0)} ms`);
  console.log(`lag p99        ${percentile(lags, 99).toFixed(0)} ms`);
  console.log(`lag max        ${lags.at(-1)!.toFixed(0)} ms`);
  console.log(
    '(the notification handler also calls users.getUser; the dispatcher is kicked 5 ms after each publish and polls every SEAM_EVENT_POLL_MS = 250 ms otherwise)',
  );
  printLoadAtEnd();
} finally {
  await server?.stop().catch(() => {});
  await database.dispose().catch(() => {});
}
