// Benchmark: checkout throughput of the same shop run as a monolith, grouped
// and split, on this machine, side by side.
//
//   npx tsx apps/bench/src/topologies.ts [--orders 100] [--concurrency 8] [--warmup 10]
//                                        [--topologies server,monolith,grouped,split,split-nats]
//                                        [--lag]
//
// The same settings can come from BENCH_ORDERS, BENCH_CONCURRENCY, BENCH_WARMUP,
// BENCH_TOPOLOGIES and BENCH_LAG=1. The runs, one after another:
//   - server:   the monolith as users run it (`npm start`): one apps/server
//               process hosting every module, no gateway — the baseline;
//   - monolith: topology/monolith.json — the same single service behind the
//               gateway, which shows the gateway's own cost;
//   - grouped, split: topology/grouped.json and topology/split.json, every
//               service a process with its own database, behind the gateway;
//   - split-nats: topology/split-nats.json — split with its events on NATS
//               JetStream (its servers; a fresh SEAM_NATS_PREFIX per run, whose
//               streams are deleted afterwards) instead of HTTP pushes.
// Each run gets fresh databases (one per service: PGlite folders, or new
// databases on the Postgres server DATABASE_URL names), registers
// warmup + orders shoppers with two products in the cart (not timed), checks
// out `warmup` of them untimed and then times `orders` checkouts through the
// public API (POST /api/orders with an Idempotency-Key), `concurrency` in flight.
// With --lag, it then waits for every timed order's confirmation notification
// and reports commit → notification (the order's updatedAt to the
// notification's createdAt, two processes' clocks on one machine, in whole ms).
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTopology } from '@seam/platform';
import { createTestDatabase, createTopologyDatabases } from '@seam/platform/testing';
import { REPO_ROOT, startProcess, startTopology } from '@seam/platform/processes';
import {
  integerOption,
  isMain,
  ms,
  percentile,
  printLoadAtEnd,
  printMachine,
  printTable,
  section,
  settle,
  type LatencySummary,
} from './report.js';
import { fetchRequester, shop as publicApi } from '@seam/shopper';
import { benchNats } from './nats.js';
import { measureLag, prepareShoppers, runCheckouts, SHOP_ENV } from './shoppers.js';

const RUNS = ['server', 'monolith', 'grouped', 'split', 'split-nats'] as const;
export type RunName = (typeof RUNS)[number];

interface Shop {
  url: string;
  databaseKind: string;
  processes: number;
  readyMs: number;
  /** rssMiB sums the resident memory of every process of the shop. */
  rssMiB(): Promise<number>;
  /** idleRss reads each process's resident memory (MiB), by process name. */
  idleRss(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface Measured {
  name: RunName;
  summary: LatencySummary;
  confirmed: number;
  processes: number;
  readyMs: number;
  rssMiB: number;
  /** idleRss is each process's resident memory (MiB) after start, before any load. */
  idleRss: Record<string, number>;
  /** idleRssLater is the same after TopologySettings.idle's time more without requests. */
  idleRssLater?: Record<string, number>;
  /** lag is the outbox lag commit → notification handler (ms), when asked for. */
  lag?: { p50: number; p99: number };
  /** load is the 1-minute load average when the run ended. */
  load: number;
}

export interface TopologySettings {
  orders: number;
  concurrency: number;
  warmup: number;
  runs: readonly RunName[];
  /** shoppers to register (each is reused in batches); warmup + orders by default. */
  shoppers?: number;
  /** lag, when true, also measures the outbox lag commit → notification of every order. */
  lag?: boolean;
  /** idle, when set, also reads each process's memory of `runs` after `ms` without requests. */
  idle?: { ms: number; runs: readonly RunName[] };
}

/**
 * measureTopologies runs the same checkouts against each topology in turn,
 * each on fresh databases, and returns throughput, latency, memory and
 * (optionally) the outbox lag of each.
 */
export async function measureTopologies(settings: TopologySettings): Promise<Measured[]> {
  const measured: Measured[] = [];
  for (const name of settings.runs) {
    section(`${name}: ${describe(name)}`);
    const shop = await start(name);
    try {
      console.log(
        `${shop.processes} process(es) ready in ${ms(shop.readyMs)} on ${shop.databaseKind}`,
      );
      await settle();
      const idleRss = await shop.idleRss();
      let idleRssLater: Record<string, number> | undefined;
      if (settings.idle?.runs.includes(name)) {
        await settle(settings.idle.ms);
        idleRssLater = await shop.idleRss();
      }
      const api = publicApi(fetchRequester(shop.url));
      const total = settings.shoppers ?? settings.warmup + settings.orders;
      const started = performance.now();
      const shoppers = await prepareShoppers(api, total, settings.concurrency);
      console.log(
        `${total} shoppers registered, logged in, carts filled in ${ms(performance.now() - started)} (not timed)`,
      );
      const run = await runCheckouts(api, shoppers, settings);
      const { summary } = run;
      console.log(
        `${summary.perSecond.toFixed(1)} orders/s, p50 ${summary.p50.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms, ${run.confirmed} of ${run.results.length} confirmed`,
      );
      if (run.confirmed !== run.results.length) {
        throw new Error(`${name}: some checkouts did not confirm; the figures are meaningless`);
      }
      const load = loadavg()[0]!;
      let lag: Measured['lag'];
      if (settings.lag) {
        const lags = await measureLag(api, run, settings.concurrency);
        lag = { p50: percentile(lags, 50), p99: percentile(lags, 99) };
        console.log(`outbox lag commit → handler: p50 ${lag.p50} ms, p99 ${lag.p99} ms`);
      }
      measured.push({
        name,
        summary,
        confirmed: run.confirmed,
        processes: shop.processes,
        readyMs: shop.readyMs,
        rssMiB: await shop.rssMiB(),
        idleRss,
        ...(idleRssLater ? { idleRssLater } : {}),
        load,
        ...(lag ? { lag } : {}),
      });
    } finally {
      await shop.stop();
    }
  }
  return measured;
}

/**
 * printTopologyTable prints the runs side by side, `server` (if run) as the
 * baseline; then, when both ran, split (HTTP push) and split-nats side by side
 * with split as the baseline.
 */
export function printTopologyTable(measured: readonly Measured[], settings: TopologySettings) {
  section(`Results: ${settings.orders} checkouts, ${settings.concurrency} in flight`);
  const withLag = measured.every((m) => m.lag);
  const rows = [
    'orders/s',
    'p50 (ms)',
    'p99 (ms)',
    'mean (ms)',
    'confirmed',
    'processes',
    'RSS total (MiB)',
    ...(withLag ? ['lag p50 (ms)', 'lag p99 (ms)'] : []),
  ];
  const columnOf = (m: Measured) => ({
    label: m.name,
    values: [
      m.summary.perSecond,
      m.summary.p50,
      m.summary.p99,
      m.summary.mean,
      m.confirmed,
      m.processes,
      m.rssMiB,
      ...(withLag ? [m.lag!.p50, m.lag!.p99] : []),
    ],
  });
  const digits = [1, 1, 1, 1, 0, 0, 0, 0, 0];
  printTable(
    rows,
    measured.map(columnOf),
    Math.max(
      0,
      measured.findIndex((m) => m.name === 'server'),
    ),
    digits,
  );
  console.log(
    '(server = apps/server alone; the others run behind the gateway, which counts among their processes)',
  );
  if (withLag) {
    console.log(
      '(lag = commit of the order → its confirmation notification recorded, ms, after the timed checkouts)',
    );
  }
  const split = measured.find((m) => m.name === 'split');
  const nats = measured.find((m) => m.name === 'split-nats');
  if (split && nats) {
    section('split: events by HTTP push (baseline) and by NATS JetStream');
    printTable(rows, [columnOf(split), columnOf(nats)], 0, digits);
  }
  console.log(
    `1-minute load average at the end of each run: ${measured.map((m) => `${m.name} ${m.load.toFixed(2)}`).join(', ')}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      topologies: { type: 'string' },
      lag: { type: 'boolean' },
    },
  });
  const settings = {
    orders: integerOption('orders', values.orders, 100, 1),
    concurrency: integerOption('concurrency', values.concurrency, 8, 1),
    warmup: integerOption('warmup', values.warmup, 10, 0),
    runs: readRuns(values.topologies ?? process.env.BENCH_TOPOLOGIES),
    lag: values.lag ?? process.env.BENCH_LAG === '1',
  };
  printMachine(
    `${settings.orders} orders after ${settings.warmup} warm-up, ${settings.concurrency} in flight, runs ${settings.runs.join(', ')}, database ${process.env.DATABASE_URL ? 'postgres' : 'pglite'} (one per service), LOG_LEVEL=warn`,
  );
  const measured = await measureTopologies(settings);
  printTopologyTable(measured, settings);
  printLoadAtEnd();
}

async function start(name: RunName): Promise<Shop> {
  if (name === 'server') {
    const database = await createTestDatabase();
    try {
      const server = await startProcess({ name: 'server', env: { ...SHOP_ENV, ...database.env } });
      return {
        url: server.url,
        databaseKind: database.kind,
        processes: 1,
        readyMs: server.readyMs,
        rssMiB: async () => (await server.memory()).rssMiB,
        idleRss: async () => ({ server: (await server.memory()).rssMiB }),
        async stop() {
          await server.stop().catch(() => {});
          await database.dispose().catch(() => {});
        },
      };
    } catch (error) {
      await database.dispose().catch(() => {});
      throw error;
    }
  }
  const topology = await loadTopology(join(REPO_ROOT, 'topology', `${name}.json`));
  const nats =
    topology.events?.transport === 'nats' ? benchNats(topology.events.servers) : undefined;
  const databases = await createTopologyDatabases(topology);
  const started = performance.now();
  try {
    const run = await startTopology({
      topology,
      env: { ...SHOP_ENV, ...nats?.env },
      serviceEnv: databases.serviceEnv,
    });
    const processes = [
      run.gateway,
      ...Object.keys(run.topology.services).flatMap((service) => run.replicas(service)),
    ];
    return {
      url: run.url,
      databaseKind: databases.kind,
      processes: processes.length,
      readyMs: performance.now() - started,
      async rssMiB() {
        const memory = await Promise.all(processes.map((p) => p.memory()));
        return memory.reduce((sum, m) => sum + m.rssMiB, 0);
      },
      async idleRss() {
        const memory = await Promise.all(processes.map((p) => p.memory()));
        return Object.fromEntries(processes.map((p, i) => [p.name, memory[i]!.rssMiB]));
      },
      async stop() {
        await run.stop().catch(() => {});
        await databases.dispose().catch(() => {});
        await nats?.dispose();
      },
    };
  } catch (error) {
    await databases.dispose().catch(() => {});
    await nats?.dispose();
    throw error;
  }
}

function describe(name: RunName): string {
  switch (name) {
    case 'server':
      return 'apps/server hosting every module, no gateway';
    case 'monolith':
    case 'grouped':
    case 'split':
      return `topology/${name}.json behind the gateway`;
    case 'split-nats':
      return 'topology/split-nats.json behind the gateway, events on NATS JetStream';
    default: {
      const never: never = name;
      return never;
    }
  }
}

function readRuns(raw: string | undefined): RunName[] {
  if (raw === undefined) return [...RUNS];
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(RUNS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--topologies takes a comma-separated list of ${RUNS.join(', ')}`);
  }
  return names as RunName[];
}

if (isMain(import.meta.url)) await main();
