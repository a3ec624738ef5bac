// Benchmark: events between services by HTTP push against NATS JetStream, side
// by side (issue 11).
//
//   npm run bench:events [-- --only lag,checkout] [--rounds 2] [--orders 100]
//                           [--concurrency 8] [--warmup 10]
//                           [--events 200] [--concurrent 400] [--lag-concurrency 8]
//
// The same settings can come from BENCH_* variables (BENCH_ONLY, BENCH_ROUNDS, …).
//   - lag: commit → handler with two hosts in this process (event-lag.ts):
//     monolith, split over HTTP and split over NATS, `rounds` rounds in
//     alternating order, one event at a time and `lag-concurrency` publishers at
//     once; PGlite, and Postgres too when DATABASE_URL is set.
//   - checkout: the shop as apps/server alone, topology/split.json and
//     topology/split-nats.json (topologies.ts), `rounds` rounds in alternating
//     order (the server first or last), each timing `orders` checkouts and then
//     commit → confirmation notification of each; on PGlite, or on fresh
//     databases of DATABASE_URL's server.
// NATS is NATS_URL's (default nats://127.0.0.1:4222), a fresh prefix per run,
// its streams deleted afterwards.
import { parseArgs } from 'node:util';
import { measureEventLag, printLagTable, readLagSettings } from './event-lag.js';
import { integerOption, isMain, printLoadAtEnd, printMachine, section } from './report.js';
import { measureTopologies, printTopologyTable, type RunName } from './topologies.js';

const SECTIONS = ['lag', 'checkout'] as const;
type Section = (typeof SECTIONS)[number];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      rounds: { type: 'string' },
      orders: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      events: { type: 'string' },
      concurrent: { type: 'string' },
      'lag-concurrency': { type: 'string' },
    },
  });
  const only = readSections(values.only ?? process.env.BENCH_ONLY);
  const rounds = integerOption('rounds', values.rounds, 2, 1);
  const lag = {
    ...readLagSettings({
      events: values.events,
      concurrent: values.concurrent,
      concurrency: values['lag-concurrency'] ?? process.env.BENCH_LAG_CONCURRENCY,
      rounds: String(rounds),
    }),
    topologies: ['split', 'split-nats', 'monolith'] as const,
  };
  const checkout = {
    orders: integerOption('orders', values.orders, 100, 1),
    concurrency: integerOption('concurrency', values.concurrency, 8, 1),
    warmup: integerOption('warmup', values.warmup, 10, 0),
    lag: true,
  };
  const database = process.env.DATABASE_URL ? 'postgres' : 'pglite';
  printMachine(
    `sections ${only.join(', ')}, ${rounds} round(s) each in alternating order; lag: ${lag.events} sequential + ${lag.concurrent} at ${lag.concurrency} per topology and round; checkout: ${checkout.orders} orders after ${checkout.warmup} warm-up, ${checkout.concurrency} in flight, database ${database}`,
  );
  if (only.includes('lag')) {
    const kinds: ('pglite' | 'postgres')[] = process.env.DATABASE_URL
      ? ['postgres', 'pglite']
      : ['pglite'];
    const byKind = [];
    for (const kind of kinds) {
      section(`lag, ${kind}`);
      byKind.push({ kind, figures: await measureEventLag(kind, lag) });
    }
    printLagTable(byKind);
  }
  if (only.includes('checkout')) {
    const order: RunName[] = ['server', 'split', 'split-nats'];
    for (let round = 1; round <= rounds; round++) {
      const runs = round % 2 === 1 ? order : [...order].reverse();
      section(`checkout, round ${round} of ${rounds} (${database})`);
      const measured = await measureTopologies({ ...checkout, runs });
      printTopologyTable(
        order.map((name) => measured.find((m) => m.name === name)!),
        { ...checkout, runs },
      );
    }
  }
  printLoadAtEnd();
}

function readSections(raw: string | undefined): Section[] {
  if (raw === undefined) return [...SECTIONS];
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes a comma-separated list of ${SECTIONS.join(', ')}`);
  }
  return names as Section[];
}

if (isMain(import.meta.url)) await main();
