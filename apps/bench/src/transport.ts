// Benchmark: one operation through the in-process transport against the HTTP
// transport — the same typed client call, the same module, the same database
// kind, on this machine.
//
//   npx tsx apps/bench/src/transport.ts [--calls 2000] [--warmup 200]
//                                       [--rounds 4] [--concurrency 1]
//
// The same settings can come from BENCH_CALLS, BENCH_WARMUP, BENCH_ROUNDS and
// BENCH_CONCURRENCY. Two operations are measured:
//   - catalog.getProduct (one indexed read), and
//   - echo.echo, which answers its input without any I/O, so the transport's own
//     cost shows apart from the query.
// In-process: a host in this process (catalog + echo on a fresh database) and the
// client a module would get from it (`host.clients.of(contract)`). HTTP: the
// callee is a real server process on loopback (apps/server with
// SEAM_MODULES=catalog, and apps/bench/src/echo-server.ts), the caller a typed
// client in this process over createHttpTransport with the service token — what
// a split service's client does (keep-alive, breaker, retry policy, deadline).
// Calls alternate between the transports in `rounds` rounds, so a change of load
// on the machine affects both alike. For echo a third column, `direct`, is the
// baseline of an in-process call: the contract's input schema, the handler and
// the output schema called by hand, no client. Databases: fresh PGlite folders, or fresh
// databases on the Postgres server DATABASE_URL names.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import catalog from '@seam/catalog';
import { catalogContract } from '@seam/catalog-contract';
import {
  createClient,
  createHost,
  createHttpTransport,
  type Contract,
  type Host,
  type ModuleClient,
} from '@seam/platform';
import { createTestDatabase, type TestDatabase } from '@seam/platform/testing';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import { echoContract, echoHandler, echoModule } from './echo-module.js';
import {
  integerOption,
  isMain,
  ms,
  pool,
  printLoadAtEnd,
  printMachine,
  printTable,
  section,
  summarize,
  type LatencySummary,
} from './report.js';

const ECHO_SERVER_ENTRY = 'apps/bench/src/echo-server.ts';
const TIMEOUT_MS = 10_000;

const ECHO_ID = '00000000-0000-4000-8000-000000000000';

export interface TransportSettings {
  calls: number;
  warmup: number;
  rounds: number;
  concurrency: number;
}

export interface TransportFigures {
  name: string;
  /** direct is the baseline of an in-process call (schemas and handler by hand); echo only. */
  direct?: LatencySummary;
  inProcess: LatencySummary;
  http: LatencySummary;
}

/**
 * measureTransport calls echo.echo and catalog.getProduct through the
 * in-process and the HTTP transport (and echo directly), alternating, and
 * returns per-call latencies for each.
 */
export async function measureTransport(settings: TransportSettings): Promise<TransportFigures[]> {
  const serviceToken = randomBytes(32).toString('hex');
  const databases: TestDatabase[] = [];
  const servers: RunningProcess[] = [];
  let local: Host | undefined;
  const fresh = async (service: string) => {
    const database = await createTestDatabase(service);
    databases.push(database);
    return database;
  };
  const remote = <C extends Contract>(contract: C, baseUrl: string): ModuleClient<C> =>
    createClient(contract, createHttpTransport({ baseUrl, serviceToken }), {
      caller: 'bench',
      defaultTimeoutMs: TIMEOUT_MS,
    });
  try {
    const localDatabase = await fresh('monolith');
    const started = performance.now();
    local = await createHost({
      modules: [catalog, echoModule],
      env: { LOG_LEVEL: 'warn', SEAM_DEMO_DATA: 'true', ...localDatabase.env },
    });
    console.log(
      `in-process host (catalog + echo) ready in ${ms(performance.now() - started)} on ${localDatabase.kind}`,
    );
    const [catalogServer, echoServer] = await Promise.all([
      fresh('catalog').then((db) =>
        startProcess({
          name: 'catalog',
          env: {
            SEAM_MODULES: 'catalog',
            SEAM_SERVICE: 'catalog',
            SEAM_SERVICE_TOKEN: serviceToken,
            SEAM_DEMO_DATA: 'true',
            ...db.env,
          },
        }),
      ),
      fresh('echo').then((db) =>
        startProcess({
          name: 'echo',
          entry: ECHO_SERVER_ENTRY,
          env: { SEAM_SERVICE: 'echo', SEAM_SERVICE_TOKEN: serviceToken, ...db.env },
        }),
      ),
    ]);
    servers.push(catalogServer!, echoServer!);
    console.log(
      `catalog server ready in ${ms(catalogServer!.readyMs)}, echo server in ${ms(echoServer!.readyMs)}`,
    );

    const localCatalog = local.clients.of(catalogContract);
    const remoteCatalog = remote(catalogContract, catalogServer!.url);
    // The demo catalog is seeded with fresh ids in each database: one product from each.
    const localId = await firstProductId(localCatalog);
    const remoteId = await firstProductId(remoteCatalog);
    const localEcho = local.clients.of(echoContract);
    const remoteEcho = remote(echoContract, echoServer!.url);
    const echo = echoContract.operations.echo;

    const operations = [
      {
        name: 'echo.echo (no I/O)',
        direct: async () => echo.output.parse(await echoHandler(echo.input.parse({ id: ECHO_ID }))),
        inProcess: () => localEcho.echo({ id: ECHO_ID }),
        http: () => remoteEcho.echo({ id: ECHO_ID }),
      },
      {
        name: 'catalog.getProduct (one indexed read)',
        direct: undefined,
        inProcess: () => localCatalog.getProduct({ id: localId }),
        http: () => remoteCatalog.getProduct({ id: remoteId }),
      },
    ];

    const results: TransportFigures[] = [];
    for (const operation of operations) {
      const calls = [operation.direct, operation.inProcess, operation.http];
      for (const call of calls) if (call) await repeat(settings.warmup, call, settings);
      const latencies = calls.map(() => [] as number[]);
      const walls = calls.map(() => 0);
      const share = Math.ceil(settings.calls / settings.rounds);
      for (let round = 0; round < settings.rounds; round++) {
        const count = Math.min(share, settings.calls - round * share);
        if (count <= 0) break;
        for (const [i, call] of calls.entries()) {
          if (call) walls[i]! += await timed(count, call, latencies[i]!, settings);
        }
      }
      const figures: TransportFigures = {
        name: operation.name,
        inProcess: summarize(latencies[1]!, walls[1]!),
        http: summarize(latencies[2]!, walls[2]!),
        ...(operation.direct ? { direct: summarize(latencies[0]!, walls[0]!) } : {}),
      };
      results.push(figures);
      console.log(
        `${operation.name}: ${figures.direct ? `direct p50 ${figures.direct.p50.toFixed(4)} ms, ` : ''}in-process p50 ${figures.inProcess.p50.toFixed(4)} ms, http p50 ${figures.http.p50.toFixed(3)} ms`,
      );
    }
    return results;
  } finally {
    await local?.close().catch(() => {});
    await Promise.all(servers.map((s) => s.stop().catch(() => {})));
    await Promise.all(databases.map((d) => d.dispose().catch(() => {})));
  }
}

/** printTransportTable prints one table per operation: in-process against HTTP. */
export function printTransportTable(results: readonly TransportFigures[]): void {
  for (const { name, direct, inProcess, http } of results) {
    console.log(`\n${name}`);
    printTable(
      ['p50 (ms)', 'p99 (ms)', 'mean (ms)', 'max (ms)', 'calls/s'],
      [
        { label: 'in-process', values: row(inProcess) },
        { label: 'http', values: row(http) },
        ...(direct ? [{ label: 'direct', values: row(direct) }] : []),
      ],
      0,
      [4, 3, 3, 1, 0],
    );
    console.log(
      `HTTP adds ${(http.p50 - inProcess.p50).toFixed(3)} ms at p50, ${(http.mean - inProcess.mean).toFixed(3)} ms on average per call`,
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  const settings = {
    calls: integerOption('calls', values.calls, 2000, 1),
    warmup: integerOption('warmup', values.warmup, 200, 0),
    rounds: integerOption('rounds', values.rounds, 4, 1),
    concurrency: integerOption('concurrency', values.concurrency, 1, 1),
  };
  printMachine(
    `${settings.calls} calls per transport and operation in ${settings.rounds} alternating rounds after ${settings.warmup} warm-up calls, ${settings.concurrency} in flight, database ${process.env.DATABASE_URL ? 'postgres' : 'pglite'}, LOG_LEVEL=warn`,
  );
  section('Setup (not timed) and calls');
  const results = await measureTransport(settings);
  section('Results: HTTP transport against the in-process transport, per call');
  printTransportTable(results);
  printLoadAtEnd();
}

async function firstProductId(client: ModuleClient<typeof catalogContract>): Promise<string> {
  const page = await client.listProducts({ limit: 1 });
  const id = page.items[0]?.id;
  if (!id) throw new Error('The demo catalog is empty; nothing to read');
  return id;
}

async function repeat(
  count: number,
  call: () => Promise<unknown>,
  settings: TransportSettings,
): Promise<void> {
  await pool(count, settings.concurrency, () => call());
}

/** timed makes `count` calls, appends each call's latency (ms) and returns the wall time. */
async function timed(
  count: number,
  call: () => Promise<unknown>,
  latencies: number[],
  settings: TransportSettings,
): Promise<number> {
  const clock = performance.now();
  await pool(count, settings.concurrency, async () => {
    const started = performance.now();
    await call();
    latencies.push(performance.now() - started);
  });
  return performance.now() - clock;
}

function row(summary: LatencySummary): number[] {
  return [summary.p50, summary.p99, summary.mean, summary.max, summary.perSecond];
}

if (isMain(import.meta.url)) await main();
