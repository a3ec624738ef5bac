// Benchmark: the lag from the commit of a transaction that publishes an event to
// the start of its handler — the outbox dispatcher's hot path.
//
//   npx tsx apps/bench/src/event-lag.ts [--events 200] [--concurrent 400]
//                                       [--concurrency 8] [--warmup 20] [--rounds 2]
//                                       [--topologies monolith,split,split-nats]
//
// The same settings can come from BENCH_EVENTS, BENCH_CONCURRENT,
// BENCH_CONCURRENCY, BENCH_WARMUP, BENCH_ROUNDS and BENCH_LAG_TOPOLOGIES. Two
// tiny modules: `lagpub` publishes lagpub.Pinged in a transaction of its own
// and notes the time the commit returned; `lagsub` handles it and notes the
// time its handler started. Lag is the difference (both clocks are this
// process's performance.now()).
//   - sequential: one event at a time, the next once the previous was handled
//     (the lag of an idle process);
//   - concurrent: `concurrency` publishers at once, each waiting for its own
//     event to be handled before publishing the next.
// Topologies: monolith (one host with both modules; the handler runs
// in-process), split (two hosts in this process, each with its own database;
// the delivery is an HTTP POST over loopback) and split-nats (the same two
// hosts with SEAM_EVENT_TRANSPORT=nats: the publisher's relay delivery stores
// the event in JetStream, the subscriber's durable consumer pulls it; NATS_URL,
// default nats://127.0.0.1:4222, and a fresh prefix whose streams are deleted
// afterwards). Each round runs every topology once on fresh databases, in
// reverse order every other round, so drifting load hits all of them; the
// figures pool the rounds. Databases: PGlite always; Postgres too when
// DATABASE_URL is set (a fresh database per host). The poll interval is left
// at its default (SEAM_EVENT_POLL_MS, 250 ms), as in production.
import { parseArgs } from 'node:util';
import {
  createHost,
  defineContract,
  defineEvent,
  defineModule,
  defineOperation,
  on,
  z,
  type Host,
} from '@seam/platform';
import { createTestDatabase, type TestDatabase, type TestNats } from '@seam/platform/testing';
import { fileURLToPath } from 'node:url';
import { benchNats } from './nats.js';
import {
  integerOption,
  isMain,
  percentile,
  pool,
  printLoadAtEnd,
  printMachine,
  printTable,
  section,
  summarize,
  type Column,
  type LatencySummary,
} from './report.js';

/**
 * LagSettings: per round and topology, sequential events, then `concurrent` more
 * at `concurrency`, after `warmup`; `rounds` rounds (default 1) of `topologies`
 * (default monolith and split).
 */
export interface LagSettings {
  events: number;
  concurrent: number;
  concurrency: number;
  warmup: number;
  rounds?: number;
  topologies?: readonly LagTopology[];
}

export const LAG_TOPOLOGIES = ['monolith', 'split', 'split-nats'] as const;
export type LagTopology = (typeof LAG_TOPOLOGIES)[number];
const HANDLED_TIMEOUT_MS = 30_000;
const SERVICE_TOKEN = 'event-lag-bench-token-0123456789abcdef0123';
// Neither module has tables of its own: the echo module's empty journal serves both.
const NO_MIGRATIONS = fileURLToPath(new URL('./echo-migrations', import.meta.url));

const Pinged = defineEvent({
  type: 'lagpub.Pinged',
  version: 1,
  description: 'A ping to time (benchmark fixture)',
  payload: z.object({ seq: z.number().int() }),
});

const lagpubContract = defineContract({
  name: 'lagpub',
  description: 'Publishes pings (benchmark fixture)',
  events: { Pinged },
  operations: {
    ping: defineOperation({
      summary: 'Publish one ping and return when its transaction has committed',
      input: z.object({ seq: z.number().int() }),
      output: z.object({ committedAt: z.number() }),
      idempotent: false,
    }),
  },
  routes: {},
});

/** handled resolves the waiter of each seq with the time its handler started. */
const waiters = new Map<number, (handledAt: number) => void>();

const lagpubModule = defineModule({
  contract: lagpubContract,
  migrationsFolder: NO_MIGRATIONS,
  setup: ({ db, events }) => ({
    operations: {
      ping: async ({ seq }) => {
        await db.transaction(async (tx) => {
          await events.publish(tx, Pinged, { seq });
        });
        return { committedAt: performance.now() };
      },
    },
    routes() {},
  }),
});

const lagsubModule = defineModule({
  contract: defineContract({
    name: 'lagsub',
    description: 'Handles pings (benchmark fixture)',
    operations: {},
    routes: {},
  }),
  migrationsFolder: NO_MIGRATIONS,
  consumes: [Pinged],
  setup: () => ({
    operations: {},
    routes() {},
    handlers: [
      on(Pinged, async (event) => {
        waiters.get(event.payload.seq)?.(performance.now());
      }),
    ],
  }),
});

const modules = [lagpubModule, lagsubModule];
const baseEnv = {
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  SEAM_DEMO_DATA: 'false',
  SEAM_SERVICE_TOKEN: SERVICE_TOKEN,
};

interface Setup {
  publisher: Host;
  close(): Promise<void>;
}

/** freshDatabase makes an empty database of the kind asked for, whatever DATABASE_URL says. */
async function freshDatabase(kind: 'pglite' | 'postgres', service: string): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  if (kind === 'pglite') delete process.env.DATABASE_URL;
  try {
    return await createTestDatabase(service);
  } finally {
    if (url !== undefined) process.env.DATABASE_URL = url;
  }
}

async function monolith(kind: 'pglite' | 'postgres'): Promise<Setup> {
  const database = await freshDatabase(kind, 'monolith');
  const host = await createHost({ modules, env: { ...baseEnv, ...database.env } });
  return {
    publisher: host,
    async close() {
      await host.close();
      await database.dispose();
    },
  };
}

/** split runs lagpub and lagsub as two hosts; with `nats`, events go through JetStream. */
async function split(kind: 'pglite' | 'postgres', nats?: TestNats): Promise<Setup> {
  const subDb = await freshDatabase(kind, 'lagsub');
  const pubDb = await freshDatabase(kind, 'lagpub');
  const transport = nats?.env ?? {};
  const subscriber = await createHost({
    modules,
    env: { ...baseEnv, SEAM_SERVICE: 'lagsub', SEAM_MODULES: 'lagsub', ...transport, ...subDb.env },
  });
  const { url } = await subscriber.listen(0);
  const publisher = await createHost({
    modules,
    env: {
      ...baseEnv,
      SEAM_SERVICE: 'lagpub',
      SEAM_MODULES: 'lagpub',
      SEAM_REMOTES: `lagsub=${url}`,
      ...transport,
      ...pubDb.env,
    },
  });
  return {
    publisher,
    async close() {
      await publisher.close();
      await subscriber.close();
      await pubDb.dispose();
      await subDb.dispose();
      await nats?.dispose();
    },
  };
}

async function splitNats(kind: 'pglite' | 'postgres'): Promise<Setup> {
  const nats = benchNats();
  try {
    return await split(kind, nats);
  } catch (error) {
    await nats.dispose();
    throw error;
  }
}

const OPEN: Record<LagTopology, (kind: 'pglite' | 'postgres') => Promise<Setup>> = {
  monolith,
  split: (kind) => split(kind),
  'split-nats': splitNats,
};

let nextSeq = 0;

/** pingOnce publishes one event and resolves with its commit → handler lag in ms. */
async function pingOnce(publisher: Host): Promise<number> {
  const seq = nextSeq++;
  const handled = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`event ${seq} not handled within ${HANDLED_TIMEOUT_MS} ms`)),
      HANDLED_TIMEOUT_MS,
    );
    waiters.set(seq, (at) => {
      clearTimeout(timer);
      resolve(at);
    });
  });
  const { committedAt } = await publisher.clients.of(lagpubContract).ping({ seq });
  const handledAt = await handled;
  waiters.delete(seq);
  return handledAt - committedAt;
}

/** Samples: the lags (ms) of one way of publishing, and the wall time they took. */
interface Samples {
  lags: number[];
  wallMs: number;
}

async function measure(setup: Setup, settings: LagSettings) {
  for (let i = 0; i < settings.warmup; i++) await pingOnce(setup.publisher);
  const sequential: Samples = { lags: [], wallMs: 0 };
  let started = performance.now();
  for (let i = 0; i < settings.events; i++) sequential.lags.push(await pingOnce(setup.publisher));
  sequential.wallMs = performance.now() - started;
  started = performance.now();
  const lags = await pool(settings.concurrent, settings.concurrency, () =>
    pingOnce(setup.publisher),
  );
  return { sequential, concurrent: { lags, wallMs: performance.now() - started } };
}

/** LagSummary adds the 90th percentile to the usual figures. */
export interface LagSummary extends LatencySummary {
  p90: number;
}

export interface LagFigures {
  sequential: LagSummary;
  concurrent: LagSummary;
}

function summarizeLags(samples: Samples): LagSummary {
  const sorted = [...samples.lags].sort((a, b) => a - b);
  return { ...summarize(sorted, samples.wallMs), p90: percentile(sorted, 90) };
}

function printLag(label: string, s: LagSummary): void {
  console.log(
    `${label.padEnd(36)} p50 ${s.p50.toFixed(1)} ms  p90 ${s.p90.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms  max ${s.max.toFixed(1)} ms  (${s.perSecond.toFixed(0)} events/s)`,
  );
}

/**
 * measureEventLag times commit → handler on each topology asked for (monolith
 * and split by default) over fresh databases of `kind`, round after round
 * (alternating the order), printing each round's line and returning the
 * figures of all rounds pooled.
 */
export async function measureEventLag(
  kind: 'pglite' | 'postgres',
  settings: LagSettings,
): Promise<Partial<Record<LagTopology, LagFigures>> & Record<'monolith' | 'split', LagFigures>> {
  const topologies = settings.topologies ?? (['monolith', 'split'] as const);
  const rounds = settings.rounds ?? 1;
  const pooled = new Map<LagTopology, { sequential: Samples; concurrent: Samples }>();
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? topologies : [...topologies].reverse();
    for (const topology of order) {
      const setup = await OPEN[topology](kind);
      try {
        const measured = await measure(setup, settings);
        const label = `${topology} ${kind}${rounds > 1 ? ` round ${round}` : ''}`;
        printLag(`${label} sequential`, summarizeLags(measured.sequential));
        printLag(`${label} concurrent`, summarizeLags(measured.concurrent));
        const all = pooled.get(topology) ?? {
          sequential: { lags: [], wallMs: 0 },
          concurrent: { lags: [], wallMs: 0 },
        };
        for (const way of ['sequential', 'concurrent'] as const) {
          all[way].lags.push(...measured[way].lags);
          all[way].wallMs += measured[way].wallMs;
        }
        pooled.set(topology, all);
      } finally {
        await setup.close();
      }
    }
  }
  const figures: Partial<Record<LagTopology, LagFigures>> = {};
  for (const [topology, all] of pooled) {
    figures[topology] = {
      sequential: summarizeLags(all.sequential),
      concurrent: summarizeLags(all.concurrent),
    };
  }
  return figures as Partial<Record<LagTopology, LagFigures>> &
    Record<'monolith' | 'split', LagFigures>;
}

/**
 * printLagTable prints the pooled figures side by side, one column per
 * topology and database, with each column's ratio to split (HTTP) on the same
 * database — the first column when there is no split.
 */
export function printLagTable(
  byKind: readonly { kind: string; figures: Partial<Record<LagTopology, LagFigures>> }[],
): void {
  for (const { kind, figures } of byKind) {
    const columns: Column[] = [];
    for (const topology of LAG_TOPOLOGIES) {
      const f = figures[topology];
      if (!f) continue;
      const { sequential: s, concurrent: c } = f;
      columns.push({
        label: topology === 'split' ? 'split-http' : topology,
        values: [
          s.p50,
          s.p90,
          s.p99,
          s.perSecond,
          c.p50,
          c.p90,
          c.p99,
          c.perSecond,
          s.count + c.count,
        ],
      });
    }
    section(`commit → handler lag (ms), ${kind}, pooled over the rounds`);
    printTable(
      [
        'sequential p50',
        'sequential p90',
        'sequential p99',
        'sequential events/s',
        'concurrent p50',
        'concurrent p90',
        'concurrent p99',
        'concurrent events/s',
        'events timed',
      ],
      columns,
      Math.max(
        0,
        columns.findIndex((c) => c.label === 'split-http'),
      ),
      [1, 1, 1, 0, 1, 1, 1, 0, 0],
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      concurrent: { type: 'string' },
      concurrency: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      topologies: { type: 'string' },
    },
  });
  const settings = readLagSettings(values);
  printMachine(
    `${settings.events} sequential events, ${settings.concurrent} at concurrency ${settings.concurrency}, ${settings.warmup} warm-up, per topology and round; ${settings.rounds} round(s) of ${settings.topologies.join(', ')}; SEAM_EVENT_POLL_MS default`,
  );
  const kinds: ('pglite' | 'postgres')[] = process.env.DATABASE_URL
    ? ['postgres', 'pglite']
    : ['pglite'];
  const byKind = [];
  for (const kind of kinds) {
    section(kind);
    byKind.push({ kind, figures: await measureEventLag(kind, settings) });
  }
  printLagTable(byKind);
  printLoadAtEnd();
}

/** readLagSettings reads the flags (or BENCH_* variables) of an event-lag run. */
export function readLagSettings(values: {
  events?: string;
  concurrent?: string;
  concurrency?: string;
  warmup?: string;
  rounds?: string;
  topologies?: string;
}): Required<LagSettings> {
  return {
    events: integerOption('events', values.events, 200, 1),
    concurrent: integerOption('concurrent', values.concurrent, 400, 1),
    concurrency: integerOption('concurrency', values.concurrency, 8, 1),
    warmup: integerOption('warmup', values.warmup, 20, 0),
    rounds: integerOption('rounds', values.rounds, 2, 1),
    topologies: readLagTopologies(values.topologies ?? process.env.BENCH_LAG_TOPOLOGIES),
  };
}

function readLagTopologies(raw: string | undefined): LagTopology[] {
  if (raw === undefined) return [...LAG_TOPOLOGIES];
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(LAG_TOPOLOGIES as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--topologies takes a comma-separated list of ${LAG_TOPOLOGIES.join(', ')}`);
  }
  return names as LagTopology[];
}

if (isMain(import.meta.url)) await main();
