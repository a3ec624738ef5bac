// Benchmark: the server's cold start and idle memory beside a bare Hono
// hello-world, and the read path — GET /api/catalog/products/{id} and
// GET /api/catalog/products?limit=20 — on the real server beside a bare
// `node:http` + postgres.js server (bare-server.ts) answering the same SELECTs
// on the same rows, and the same server again with its access log on.
//
//   npx tsx apps/bench/src/catalog-get.ts [--duration 5] [--rounds 2] [--connections 50]
//                                         [--warmup 1] [--pglite]
//
// The same settings can come from BENCH_DURATION, BENCH_ROUNDS,
// BENCH_CONNECTIONS and BENCH_WARMUP. Every server is a child process (Seam
// from its bundle, as `npm start` runs it; the baselines through tsx);
// autocannon is the load generator, in this process. The
// runs alternate (bare, seam, seam with log, bare, seam, …) so a change of load
// on the machine affects all alike; best and median req/s are reported. The
// database is a fresh one on the Postgres server DATABASE_URL names (default
// postgres://postgres@127.0.0.1:5432/test); `--pglite` runs the server on PGlite
// in a temporary folder, where the bare server has no database to share, so
// only the server's figures are measured.
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { createTestDatabase, type TestDatabase } from '@seam/platform/testing';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import {
  IDLE_MS,
  integerOption,
  isMain,
  median,
  mib,
  ms,
  printLoadAtEnd,
  printMachine,
  section,
  settle,
} from './report.js';

const HELLO_ENTRY = 'apps/bench/src/hello-server.ts';
const BARE_ENTRY = 'apps/bench/src/bare-server.ts';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface LoadSettings {
  /** duration of one timed run, in seconds. */
  duration: number;
  rounds: number;
  connections: number;
  /** warmup before the first round, in seconds, per server and path. */
  warmup: number;
}

export interface StartFigures {
  databaseKind: TestDatabase['kind'];
  firstMs: number;
  firstRssMiB: number;
  secondMs: number;
  /** startRssMiB is the second start's resident memory 2 s after ready, before any load. */
  startRssMiB: number;
  /** idleRssMiB is the same process's resident memory after IDLE_MS more without requests. */
  idleRssMiB: number;
  helloMs: number;
  /** helloRssMiB is the hello-world's resident memory after the same idle time. */
  helloRssMiB: number;
}

/** LoadFigures are one server's req/s over the rounds, and its latency in the best round. */
export interface LoadFigures {
  label: string;
  best: number;
  median: number;
  p50: number;
  p99: number;
}

export interface ReadFigures {
  path: string;
  runs: LoadFigures[];
}

/**
 * freshDatabase makes an empty database of `kind`: a new database on the
 * Postgres server DATABASE_URL names (or the local default), or a PGlite folder.
 */
export async function freshDatabase(
  kind: TestDatabase['kind'],
  service?: string,
): Promise<TestDatabase> {
  const saved = process.env.DATABASE_URL;
  if (kind === 'pglite') delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved ?? DEFAULT_DATABASE_URL;
  try {
    return await createTestDatabase(service);
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

/**
 * measureStart starts the server twice on `database` (the first start migrates
 * and seeds the demo catalog), reads each one's memory (the second's 2 s after
 * ready and again after `idleMs` without requests), and starts a bare Hono
 * hello-world for comparison. The second server is left running for the
 * caller, who stops it.
 */
export async function measureStart(
  database: TestDatabase,
  idleMs = IDLE_MS,
): Promise<{ figures: StartFigures; server: RunningProcess }> {
  const env = { LOG_LEVEL: 'warn', SEAM_DEMO_DATA: 'true', ...database.env };
  const first = await startProcess({ name: 'seam (first start)', env });
  await settle();
  const firstMemory = await first.memory();
  await expectCleanExit(first);
  const server = await startProcess({ name: 'seam (second start)', env });
  try {
    await settle();
    const atStart = await server.memory();
    // The hello-world idles beside the server, so both are read after the same time.
    const hello = await startProcess({ name: 'hello', entry: HELLO_ENTRY });
    await settle(idleMs);
    const idle = await server.memory();
    const helloMemory = await hello.memory();
    await expectCleanExit(hello);
    const figures: StartFigures = {
      databaseKind: database.kind,
      firstMs: first.readyMs,
      firstRssMiB: firstMemory.rssMiB,
      secondMs: server.readyMs,
      startRssMiB: atStart.rssMiB,
      idleRssMiB: idle.rssMiB,
      helloMs: hello.readyMs,
      helloRssMiB: helloMemory.rssMiB,
    };
    console.log(
      `first start (migrations + demo seed) ${ms(figures.firstMs)}, RSS ${mib(figures.firstRssMiB)}; second start ${ms(figures.secondMs)}, RSS ${mib(figures.startRssMiB)} 2 s after ready, ${mib(figures.idleRssMiB)} after ${idleMs / 1000} s idle; hono hello-world ${ms(figures.helloMs)}, ${mib(figures.helloRssMiB)} (${database.kind})`,
    );
    return { figures, server };
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
}

/**
 * startBare starts bare-server.ts on a database a Seam server has seeded (on
 * node:http, or on Hono's Node adapter: `framework`), and reads its idle memory.
 */
export async function startBare(
  database: TestDatabase,
  framework: 'node' | 'hono' = 'node',
): Promise<{ server: RunningProcess; idleRssMiB: number }> {
  const server = await startProcess({
    name: `bare (${framework})`,
    entry: BARE_ENTRY,
    env: { ...database.env, BARE_FRAMEWORK: framework },
  });
  try {
    await settle();
    return { server, idleRssMiB: (await server.memory()).rssMiB };
  } catch (error) {
    await server.stop().catch(() => {});
    throw error;
  }
}

/**
 * measureRead loads each of `paths` on every server in `servers`, alternating
 * servers within each round, and returns req/s per server and path.
 */
export async function measureRead(
  servers: readonly { label: string; url: string }[],
  paths: readonly string[],
  settings: LoadSettings,
): Promise<ReadFigures[]> {
  const figures: ReadFigures[] = [];
  for (const path of paths) {
    for (const server of servers) await expectOk(server.url + path);
    if (settings.warmup > 0) {
      for (const server of servers) await load(server.url + path, settings.warmup, settings);
    }
    const runs = servers.map(() => [] as Result[]);
    for (let round = 0; round < settings.rounds; round++) {
      for (const [i, server] of servers.entries()) {
        const result = await load(server.url + path, settings.duration, settings);
        runs[i]!.push(result);
        console.log(
          `${path} round ${round + 1} ${server.label}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
        );
      }
    }
    figures.push({
      path,
      runs: servers.map((server, i) => {
        const results = runs[i]!;
        const best = results.reduce((a, b) => (b.requests.average > a.requests.average ? b : a));
        return {
          label: server.label,
          best: best.requests.average,
          median: median(results.map((r) => r.requests.average)),
          p50: best.latency.p50!,
          p99: best.latency.p99!,
        };
      }),
    });
  }
  return figures;
}

/** demoProductId returns the id of the first product of the demo catalog. */
export async function demoProductId(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/catalog/products?limit=1`);
  const page = (await res.json()) as { items?: { id: string }[] };
  const id = page.items?.[0]?.id;
  if (res.status !== 200 || !id) {
    throw new Error(`No demo product to benchmark (GET /api/catalog/products → ${res.status})`);
  }
  return id;
}

/** expectCleanExit stops a process and fails if it did not exit with 0. */
export async function expectCleanExit(service: RunningProcess): Promise<void> {
  const { code } = await service.stop();
  if (code !== 0) throw new Error(`${service.name} exited with code ${code}\n${service.logs()}`);
}

/** printReadTable prints req/s (best, median) and the best run's latency per server and path. */
export function printReadTable(figures: readonly ReadFigures[]): void {
  for (const { path, runs } of figures) {
    const base = runs[0]!;
    console.log(`\nGET ${path}`);
    console.log(
      `${''.padEnd(22)}${'best req/s'.padStart(12)}${'median req/s'.padStart(14)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${`÷ ${base.label} (best)`.padStart(16)}`,
    );
    for (const run of runs) {
      console.log(
        `${run.label.padEnd(22)}${run.best.toFixed(0).padStart(12)}${run.median.toFixed(0).padStart(14)}${String(run.p50).padStart(9)}${String(run.p99).padStart(9)}${`${(run.best / base.best).toFixed(2)}×`.padStart(16)}`,
      );
    }
  }
}

async function load(url: string, duration: number, settings: LoadSettings): Promise<Result> {
  const result = await autocannon({ url, connections: settings.connections, duration });
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts; the figures would be meaningless`,
    );
  }
  return result;
}

async function expectOk(url: string): Promise<void> {
  const res = await fetch(url);
  await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      pglite: { type: 'boolean' },
    },
  });
  const settings: LoadSettings = {
    duration: integerOption('duration', values.duration, 5, 1),
    rounds: integerOption('rounds', values.rounds, 2, 1),
    connections: integerOption('connections', values.connections, 50, 1),
    warmup: integerOption('warmup', values.warmup, 1, 0),
  };
  const database = await freshDatabase(values.pglite ? 'pglite' : 'postgres');
  const running: RunningProcess[] = [];
  try {
    printMachine(
      `${settings.rounds} rounds × ${settings.duration}s per server and path after ${settings.warmup}s warm-up, ${settings.connections} connections, database ${database.kind}`,
    );
    section('Cold start (spawn → first 200 from /health/ready) and idle memory');
    const { server } = await measureStart(database);
    running.push(server);
    const servers = [{ label: 'seam', url: server.url }];
    if (database.kind === 'postgres') {
      const bare = await startBare(database);
      running.push(bare.server);
      console.log(`bare node:http + postgres.js idle RSS ${mib(bare.idleRssMiB)}`);
      const logged = await startProcess({
        name: 'seam (LOG_LEVEL=info)',
        env: { ...database.env, LOG_LEVEL: 'info' },
      });
      running.push(logged);
      servers.unshift({ label: 'bare', url: bare.server.url });
      servers.push({ label: 'seam, access log on', url: logged.url });
    }
    const id = await demoProductId(server.url);
    section('Read path');
    const figures = await measureRead(
      servers,
      [`/api/catalog/products/${id}`, '/api/catalog/products?limit=20'],
      settings,
    );
    section('Results');
    printReadTable(figures);
    printLoadAtEnd();
  } finally {
    await Promise.all(running.map((r) => r.stop().catch(() => {})));
    await database.dispose().catch(() => {});
  }
}

if (isMain(import.meta.url)) await main();
