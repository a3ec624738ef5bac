// Benchmark: start-up time and idle memory of the server as `npm start` runs it,
// against the targets of issue 8.
//
//   npm run bench:startup -- [--repeats 3] [--settle 2000] [--load-seconds 5] [--before <folder>]
//
// Each case gets its own database, started once first (migrations and demo seed,
// not counted), then started again `--repeats` times, the cases alternating so
// that load on the machine spreads over all of them. "Ready" is spawn → the first
// 200 from /health/ready; idle RSS is read `--settle` ms later. The Postgres cases
// use DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test; they are
// skipped when it cannot be reached. `--before` names a checkout of an older
// commit (with its dependencies installed) whose server is started beside this
// one, the way its `npm start` did (`node --import tsx apps/server/src/main.ts`),
// on the same databases, for a before/after from one run. The last PGlite start
// also serves GET /api/catalog/products/{id} for `--load-seconds`.
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import { createTestDatabase, type TestDatabase } from '@seam/platform/testing';
import { integerOption, ms, printLoadAtEnd, printMachine, section } from './report.js';

const NPM_START = ['apps/server/scripts/start.mjs'];
const TSX_START = ['--import', 'tsx', 'apps/server/src/main.ts'];
const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Case {
  label: string;
  database: TestDatabase;
  args: string[];
  env: Record<string, string>;
  /** cwd is the checkout it runs from; this one by default. */
  cwd?: string;
  /** targets: ready (ms) and idle RSS (MiB) it must stay within; undefined = no target. */
  readyTarget?: number;
  rssTarget?: number;
  ready: number[];
  rss: number[];
}

const { values } = parseArgs({
  options: {
    repeats: { type: 'string' },
    settle: { type: 'string' },
    'load-seconds': { type: 'string' },
    before: { type: 'string' },
  },
});
const repeats = integerOption('repeats', values.repeats, 3, 1);
const settleMs = integerOption('settle', values.settle, 2000, 0);
const loadSeconds = integerOption('load-seconds', values['load-seconds'], 5, 0);

const cases: Case[] = [];
let running: RunningProcess | undefined;
try {
  printMachine(
    `${repeats} second starts per case, alternating; idle RSS ${settleMs} ms after ready; LOG_LEVEL=warn`,
  );
  const pglite = await databaseOf('pglite');
  cases.push(newCase('PGlite monolith (npm start)', pglite, NPM_START, {}, 1500, 200));
  const before = values.before;
  if (before)
    cases.push({ ...newCase('PGlite monolith (before)', pglite, TSX_START, {}), cwd: before });
  const postgres = await databaseOf('postgres').catch((error: unknown) => {
    console.log(`Postgres cases skipped: ${(error as Error).message}`);
    return undefined;
  });
  if (postgres) {
    cases.push(newCase('Postgres monolith (npm start)', postgres, NPM_START, {}, undefined, 120));
    if (before) {
      cases.push({
        ...newCase('Postgres monolith (before)', postgres, TSX_START, {}),
        cwd: before,
      });
    }
    const catalogOnly = await databaseOf('postgres');
    cases.push(
      newCase(
        'Postgres catalog alone',
        catalogOnly,
        NPM_START,
        { SEAM_MODULES: 'catalog' },
        undefined,
        100,
      ),
    );
  }

  section('First starts (migrations and demo seed; not counted)');
  for (const c of cases.filter((c, i) => cases.findIndex((o) => o.database === c.database) === i)) {
    running = await startProcess({ name: c.label, args: c.args, env: envOf(c), cwd: c.cwd });
    console.log(`${c.label}: ${ms(running.readyMs)}`);
    await stopCleanly(running);
    running = undefined;
  }

  section('Second starts');
  for (let round = 1; round <= repeats; round++) {
    for (const c of cases) {
      running = await startProcess({ name: c.label, args: c.args, env: envOf(c), cwd: c.cwd });
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const { rssMiB } = await running.memory();
      c.ready.push(running.readyMs);
      c.rss.push(rssMiB);
      console.log(
        `round ${round} ${c.label}: ready ${ms(running.readyMs)}, idle RSS ${mib(rssMiB)}`,
      );
      const lastPglite = round === repeats && c === cases[0];
      if (lastPglite && loadSeconds > 0) await loadProduct(running.url);
      await stopCleanly(running);
      running = undefined;
    }
  }

  section('Results (median of the second starts; target, met?)');
  for (const c of cases) {
    const ready = median(c.ready);
    const rss = median(c.rss);
    console.log(
      `${c.label.padEnd(32)} ready ${ms(ready).padStart(9)} ${verdict(ready, c.readyTarget, 'ms')}   idle RSS ${mib(rss).padStart(9)} ${verdict(rss, c.rssTarget, 'MiB')}`,
    );
  }
  printLoadAtEnd();
} finally {
  await running?.stop().catch(() => {});
  const databases = new Set(cases.map((c) => c.database));
  for (const database of databases) await database.dispose().catch(() => {});
}

function newCase(
  label: string,
  database: TestDatabase,
  args: string[],
  env: Record<string, string>,
  readyTarget?: number,
  rssTarget?: number,
): Case {
  return { label, database, args, env, readyTarget, rssTarget, ready: [], rss: [] };
}

function envOf(c: Case): Record<string, string> {
  return { ...c.database.env, ...c.env };
}

/** databaseOf makes a fresh database of the kind asked, whatever DATABASE_URL says. */
async function databaseOf(kind: 'pglite' | 'postgres'): Promise<TestDatabase> {
  const saved = process.env.DATABASE_URL;
  if (kind === 'postgres') process.env.DATABASE_URL = POSTGRES_URL;
  else delete process.env.DATABASE_URL;
  try {
    return await createTestDatabase();
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

async function loadProduct(baseUrl: string): Promise<void> {
  const page = (await (await fetch(`${baseUrl}/api/catalog/products?limit=1`)).json()) as {
    items?: { id: string }[];
  };
  const id = page.items?.[0]?.id;
  if (!id) throw new Error('No demo product to load');
  const url = `${baseUrl}/api/catalog/products/${id}`;
  await autocannon({ url, connections: 10, duration: 2 });
  const result = await autocannon({ url, connections: 10, duration: loadSeconds });
  const failed = result.errors + result.timeouts + result.non2xx;
  const rate = result.requests.average;
  console.log(
    `  GET /api/catalog/products/{id} on PGlite, ${loadSeconds}s, 10 connections: ${Math.round(rate)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${failed} failed ${verdictAtLeast(rate, 1500, 'req/s')}`,
  );
}

async function stopCleanly(process: RunningProcess): Promise<void> {
  const { code } = await process.stop();
  if (code !== 0) throw new Error(`${process.name} exited with code ${code}\n${process.logs()}`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function verdict(value: number, target: number | undefined, unit: string): string {
  if (target === undefined) return '(no target)'.padEnd(18);
  return `(≤ ${target} ${unit}: ${value <= target ? 'met' : 'NOT met'})`.padEnd(18);
}

function verdictAtLeast(value: number, target: number, unit: string): string {
  return `(≥ ${target} ${unit}: ${value >= target ? 'met' : 'NOT met'})`;
}

function mib(value: number): string {
  return `${value.toFixed(1)} MiB`;
}
