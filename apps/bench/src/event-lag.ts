// Benchmark: the lag from the commit of a transaction that publishes an event to
// the start of its handler — the outbox dispatcher's hot path.
//
//   npx tsx apps/bench/src/event-lag.ts [--events 200] [--concurrent 400]
//                                       [--concurrency 8] [--warmup 20]
//
// The same settings can come from BENCH_EVENTS, BENCH_CONCURRENT,
// BENCH_CONCURRENCY and BENCH_WARMUP. Two tiny modules: `lagpub` publishes
// lagpub.Pinged in a transaction of its own and notes the time the commit
// returned; `lagsub` handles it and notes the time its handler started. Lag is
// the difference (both clocks are this process's performance.now()).
//   - sequential: one event at a time, the next once the previous was handled
//     (the lag of an idle process);
//   - concurrent: `concurrency` publishers at once, each waiting for its own
//     event to be handled before publishing the next.
// Topologies: monolith (one host with both modules; the handler runs
// in-process) and split (two hosts in this process, each with its own
// database; the delivery is an HTTP POST over loopback). Databases: PGlite
// always; Postgres too when DATABASE_URL is set (a fresh database per host).
// The poll interval is left at its default (SEAM_EVENT_POLL_MS, 250 ms), as in
// production.
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
import { createTestDatabase, type TestDatabase } from '@seam/platform/testing';
import { fileURLToPath } from 'node:url';
import {
  integerOption,
  pool,
  printLoadAtEnd,
  printMachine,
  printTable,
  section,
  summarize,
  type Column,
} from './report.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    concurrent: { type: 'string' },
    concurrency: { type: 'string' },
    warmup: { type: 'string' },
  },
});
const settings = {
  events: integerOption('events', values.events, 200, 1),
  concurrent: integerOption('concurrent', values.concurrent, 400, 1),
  concurrency: integerOption('concurrency', values.concurrency, 8, 1),
  warmup: integerOption('warmup', values.warmup, 20, 0),
};
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

async function split(kind: 'pglite' | 'postgres'): Promise<Setup> {
  const subDb = await freshDatabase(kind, 'lagsub');
  const pubDb = await freshDatabase(kind, 'lagpub');
  const subscriber = await createHost({
    modules,
    env: { ...baseEnv, SEAM_SERVICE: 'lagsub', SEAM_MODULES: 'lagsub', ...subDb.env },
  });
  const { url } = await subscriber.listen(0);
  const publisher = await createHost({
    modules,
    env: {
      ...baseEnv,
      SEAM_SERVICE: 'lagpub',
      SEAM_MODULES: 'lagpub',
      SEAM_REMOTES: `lagsub=${url}`,
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
    },
  };
}

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

async function measure(setup: Setup) {
  for (let i = 0; i < settings.warmup; i++) await pingOnce(setup.publisher);
  const sequential: number[] = [];
  let started = performance.now();
  for (let i = 0; i < settings.events; i++) sequential.push(await pingOnce(setup.publisher));
  const sequentialWall = performance.now() - started;
  started = performance.now();
  const concurrent = await pool(settings.concurrent, settings.concurrency, () =>
    pingOnce(setup.publisher),
  );
  return {
    sequential: summarize(sequential, sequentialWall),
    concurrent: summarize(concurrent, performance.now() - started),
  };
}

printMachine(
  `${settings.events} sequential events, ${settings.concurrent} at concurrency ${settings.concurrency}, ${settings.warmup} warm-up; SEAM_EVENT_POLL_MS default`,
);
const kinds: ('pglite' | 'postgres')[] = process.env.DATABASE_URL
  ? ['postgres', 'pglite']
  : ['pglite'];
const columns: Column[] = [];
for (const kind of kinds) {
  for (const [topology, open] of [
    ['monolith', monolith],
    ['split', split],
  ] as const) {
    const label = `${topology} ${kind}`;
    section(label);
    const setup = await open(kind);
    try {
      const { sequential, concurrent } = await measure(setup);
      const line = (name: string, s: typeof sequential) =>
        console.log(
          `${name.padEnd(11)} p50 ${s.p50.toFixed(1)} ms  p99 ${s.p99.toFixed(1)} ms  max ${s.max.toFixed(1)} ms  (${s.perSecond.toFixed(0)} events/s)`,
        );
      line('sequential', sequential);
      line('concurrent', concurrent);
      columns.push({
        label,
        values: [
          sequential.p50,
          sequential.p99,
          concurrent.p50,
          concurrent.p99,
          concurrent.perSecond,
        ],
      });
    } finally {
      await setup.close();
    }
  }
}
section('commit → handler lag (ms)');
printTable(
  ['sequential p50', 'sequential p99', 'concurrent p50', 'concurrent p99', 'concurrent events/s'],
  columns,
  0,
  [1, 1, 1, 1, 0],
);
printLoadAtEnd();
