// Benchmark: every speed target of the product in one run, each figure beside
// its baseline measured in the same run, as one table — figure, baseline,
// ratio, target, met or not.
//
//   npm run bench:all [-- --only read,transport,events,checkout,embedded] [--quick]
//                        [--duration 5] [--rounds 2] [--orders 200]
//
// Sections (each prints its elapsed time):
//   read:      GET /api/catalog/products/{id} and ?limit=20 on apps/server against
//              bare-server.ts (node:http + postgres.js) on the same rows, and
//              the server with its access log on; RSS of the monolith 2 s after
//              ready and after IDLE_MS (30 s) without requests (catalog-get.ts);
//   transport: an in-process call and the HTTP hop (transport.ts);
//   events:    outbox lag commit → handler on Postgres, monolith, split and
//              split-nats (NATS_URL, default nats://127.0.0.1:4222), one event
//              at a time and 8 publishers at once (event-lag.ts);
//   checkout:  checkouts/s of the monolith, grouped and split, and the outbox
//              lag while they run, plus the largest split service's RSS 2 s
//              after ready and after IDLE_MS (topologies.ts);
//   embedded:  PGlite second start, RSS (both readings) and GET by id
//              (catalog-get.ts).
// A memory target is judged on the reading after IDLE_MS: see report.ts.
// Postgres is the server DATABASE_URL names (default
// postgres://postgres@127.0.0.1:5432/test); every process gets a fresh database.
import { parseArgs } from 'node:util';
import type { RunningProcess } from '@seam/platform/processes';
import {
  DEFAULT_DATABASE_URL,
  demoProductId,
  freshDatabase,
  measureRead,
  measureStart,
  printReadTable,
  startBare,
  type LoadSettings,
  type StartFigures,
} from './catalog-get.js';
import { startProcess } from '@seam/platform/processes';
import {
  IDLE_MS,
  integerOption,
  loadAverage,
  ms,
  printLoadAtEnd,
  printMachine,
  section,
} from './report.js';
import { measureEventLag } from './event-lag.js';
import { measureTopologies, printTopologyTable } from './topologies.js';
import { measureTransport, printTransportTable } from './transport.js';

const SECTIONS = ['read', 'transport', 'events', 'checkout', 'embedded'] as const;
type SectionName = (typeof SECTIONS)[number];

/** Row is one line of the final table; `ratio` is figure ÷ baseline. */
interface Row {
  name: string;
  figure: number;
  unit: string;
  baseline?: { label: string; value: number };
  /** target is checked against the figure, or against the ratio when `of` is 'ratio'. */
  target?: { op: '≥' | '≤'; value: number; of: 'figure' | 'ratio' };
  digits?: number;
}

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    orders: { type: 'string' },
    connections: { type: 'string' },
  },
});
const quick = values.quick ?? false;
const only = readSections(values.only ?? process.env.BENCH_ONLY);
const load: LoadSettings = {
  duration: integerOption('duration', values.duration, quick ? 2 : 5, 1),
  rounds: integerOption('rounds', values.rounds, quick ? 1 : 2, 1),
  connections: integerOption('connections', values.connections, 50, 1),
  warmup: 1,
};
const checkout = {
  orders: integerOption('orders', values.orders, quick ? 60 : 200, 1),
  warmup: quick ? 10 : 20,
  concurrency: 32,
  shoppers: 32,
};
const calls = quick ? 500 : 2000;
process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;

const rows: Row[] = [];
const elapsed: string[] = [];
const failed: string[] = [];
/** helloIdleRss is the hello-world's RSS after IDLE_MS (the read section's), the split row's baseline. */
let helloIdleRss: { label: string; value: number } | undefined;

/** helloIdle is the hello-world's RSS after the same idle time as `figures`' server. */
function helloIdle(figures: StartFigures): { label: string; value: number } {
  helloIdleRss ??= { label: 'hono hello-world', value: figures.helloRssMiB };
  return helloIdleRss;
}

/** bareIdle is the bare server's RSS 2 s after ready, the baseline of the 2 s memory rows. */
let bareIdle: { label: string; value: number } | undefined;
let bareById: number | undefined;
const clock = performance.now();

printMachine(
  `sections ${only.join(', ')}${quick ? ' (quick)' : ''}; read: ${load.rounds} rounds × ${load.duration}s per server and path, ${load.connections} connections; transport: ${calls} calls per transport; checkout: ${checkout.orders} orders after ${checkout.warmup} warm-up, ${checkout.concurrency} in flight; Postgres ${redact(process.env.DATABASE_URL)}`,
);

for (const name of only) {
  const started = performance.now();
  section(`${name} (load ${loadAverage()})`);
  // A failed section (an overloaded machine, say) must not cost the others' figures.
  try {
    await runSection(name);
  } catch (error) {
    failed.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    console.log(`!! ${name} failed: ${(error as Error).stack}`);
  }
  const took = performance.now() - started;
  elapsed.push(`${name} ${(took / 1000).toFixed(0)} s`);
  console.log(`-- ${name} took ${(took / 1000).toFixed(1)} s`);
}

section('Targets');
printRows(rows);
console.log(`\nsections: ${elapsed.join(', ')}; total ${ms(performance.now() - clock)}`);
if (failed.length > 0) {
  console.log(`FAILED sections (their rows are missing): ${failed.join('; ')}`);
  process.exitCode = 1;
}
printLoadAtEnd();

async function runSection(name: SectionName): Promise<void> {
  switch (name) {
    case 'read':
      return readSection();
    case 'transport':
      return transportSection();
    case 'events':
      return eventsSection();
    case 'checkout':
      return checkoutSection();
    case 'embedded':
      return embeddedSection();
    default: {
      const never: never = name;
      return never;
    }
  }
}

async function readSection(): Promise<void> {
  const database = await freshDatabase('postgres');
  const running: RunningProcess[] = [];
  try {
    const { figures, server } = await measureStart(database);
    running.push(server);
    const bare = await startBare(database);
    running.push(bare.server);
    bareIdle = { label: 'bare node:http idle', value: bare.idleRssMiB };
    console.log(`bare node:http + postgres.js idle RSS ${bare.idleRssMiB.toFixed(1)} MiB`);
    const hono = await startBare(database, 'hono');
    running.push(hono.server);
    const logged = await startProcess({
      name: 'seam (LOG_LEVEL=info)',
      env: { ...database.env, LOG_LEVEL: 'info' },
    });
    running.push(logged);
    const id = await demoProductId(server.url);
    const [byId, list] = await measureRead(
      [
        { label: 'bare', url: bare.server.url },
        { label: 'hono + postgres.js', url: hono.server.url },
        { label: 'seam', url: server.url },
        { label: 'seam, access log on', url: logged.url },
      ],
      [`/api/catalog/products/${id}`, '/api/catalog/products?limit=20'],
      load,
    );
    printReadTable([byId!, list!]);
    const [bareGet, honoGet, seamGet, loggedGet] = byId!.runs;
    const [bareList, honoList, seamList, loggedList] = list!.runs;
    bareById = bareGet!.best;
    rows.push(
      {
        name: '1 GET product by id, req/s (best)',
        figure: seamGet!.best,
        unit: '/s',
        baseline: { label: 'bare', value: bareGet!.best },
        target: { op: '≥', value: 0.85, of: 'ratio' },
        digits: 0,
      },
      {
        name: '1 GET product by id, Hono floor',
        figure: honoGet!.best,
        unit: '/s',
        baseline: { label: 'bare', value: bareGet!.best },
        digits: 0,
      },
      {
        name: '1 GET product by id, seam ÷ Hono floor',
        figure: seamGet!.best,
        unit: '/s',
        baseline: { label: 'hono', value: honoGet!.best },
        digits: 0,
      },
      {
        name: '1 GET product by id, access log on',
        figure: loggedGet!.best,
        unit: '/s',
        baseline: { label: 'seam, log off', value: seamGet!.best },
        digits: 0,
      },
      {
        name: '1 GET products ?limit=20, req/s (best)',
        figure: seamList!.best,
        unit: '/s',
        baseline: { label: 'bare', value: bareList!.best },
        target: { op: '≥', value: 0.75, of: 'ratio' },
        digits: 0,
      },
      {
        name: '1 GET products ?limit=20, Hono floor',
        figure: honoList!.best,
        unit: '/s',
        baseline: { label: 'bare', value: bareList!.best },
        digits: 0,
      },
      {
        name: '1 GET products ?limit=20, access log on',
        figure: loggedList!.best,
        unit: '/s',
        baseline: { label: 'seam, log off', value: seamList!.best },
        digits: 0,
      },
      {
        name: `7 idle RSS, monolith on Postgres (${IDLE_MS / 1000} s idle)`,
        figure: figures.idleRssMiB,
        unit: ' MiB',
        baseline: helloIdle(figures),
        target: { op: '≤', value: 120, of: 'figure' },
      },
      {
        name: '— the same, 2 s after ready',
        figure: figures.startRssMiB,
        unit: ' MiB',
        ...(bareIdle ? { baseline: bareIdle } : {}),
      },
    );
  } finally {
    await Promise.all(running.map((r) => r.stop().catch(() => {})));
    await database.dispose().catch(() => {});
  }
}

async function transportSection(): Promise<void> {
  const results = await measureTransport({
    calls,
    warmup: Math.min(200, calls),
    rounds: 4,
    concurrency: 1,
  });
  printTransportTable(results);
  const echo = results[0]!;
  rows.push(
    {
      name: '2 in-process call p50 (echo, validated)',
      figure: echo.inProcess.p50 * 1000,
      unit: ' µs',
      baseline: { label: 'schemas + handler by hand', value: echo.direct!.p50 * 1000 },
      target: { op: '≤', value: 5, of: 'figure' },
      digits: 2,
    },
    {
      name: '3 HTTP hop adds, p50 (echo)',
      figure: echo.http.p50 - echo.inProcess.p50,
      unit: ' ms',
      baseline: { label: 'in-process p50', value: echo.inProcess.p50 },
      target: { op: '≤', value: 0.3, of: 'figure' },
      digits: 3,
    },
  );
}

/**
 * eventsSection times commit → handler on Postgres (event-lag.ts): one event at
 * a time (the target rows), then 8 publishers at once.
 */
async function eventsSection(): Promise<void> {
  const figures = await measureEventLag('postgres', {
    events: quick ? 50 : 200,
    concurrent: quick ? 100 : 400,
    concurrency: 8,
    warmup: quick ? 5 : 20,
    topologies: ['monolith', 'split', 'split-nats'],
  });
  const { monolith, split } = figures;
  const nats = figures['split-nats']!;
  rows.push(
    {
      name: `5 outbox lag p50, monolith (p99 ${monolith.sequential.p99.toFixed(1)} ms)`,
      figure: monolith.sequential.p50,
      unit: ' ms',
      target: { op: '≤', value: 10, of: 'figure' },
      digits: 1,
    },
    {
      name: `5 outbox lag p50, split (p99 ${split.sequential.p99.toFixed(1)} ms)`,
      figure: split.sequential.p50,
      unit: ' ms',
      baseline: { label: 'monolith', value: monolith.sequential.p50 },
      target: { op: '≤', value: 25, of: 'figure' },
      digits: 1,
    },
    {
      name: `5 outbox lag p50, 8 publishers, monolith`,
      figure: monolith.concurrent.p50,
      unit: ' ms',
      baseline: { label: 'one at a time', value: monolith.sequential.p50 },
      digits: 1,
    },
    {
      name: `5 outbox lag p50, 8 publishers, split`,
      figure: split.concurrent.p50,
      unit: ' ms',
      baseline: { label: 'one at a time', value: split.sequential.p50 },
      digits: 1,
    },
    {
      name: `— split on NATS, lag p50 (p99 ${nats.sequential.p99.toFixed(1)} ms)`,
      figure: nats.sequential.p50,
      unit: ' ms',
      baseline: { label: 'split, HTTP', value: split.sequential.p50 },
      digits: 1,
    },
    {
      name: `— split on NATS, lag p50, 8 publishers`,
      figure: nats.concurrent.p50,
      unit: ' ms',
      baseline: { label: 'split, HTTP', value: split.concurrent.p50 },
      digits: 1,
    },
  );
}

async function checkoutSection(): Promise<void> {
  const settings = {
    ...checkout,
    runs: ['server', 'grouped', 'split'] as const,
    lag: true,
    idle: { ms: IDLE_MS, runs: ['split'] as const },
  };
  const measured = await measureTopologies(settings);
  printTopologyTable(measured, settings);
  const [server, grouped, split] = measured;
  const perSecond = { label: 'monolith', value: server!.summary.perSecond };
  const largestOf = (rss: Record<string, number>) =>
    Object.entries(rss)
      .filter(([process]) => process !== 'gateway')
      .reduce((a, b) => (b[1] > a[1] ? b : a));
  const [largest, largestRss] = largestOf(split!.idleRssLater!);
  const [largestAtStart, largestRssAtStart] = largestOf(split!.idleRss);
  rows.push(
    {
      name: `4 checkouts/s, monolith (p99 ${server!.summary.p99.toFixed(0)} ms)`,
      figure: server!.summary.perSecond,
      unit: '/s',
      target: { op: '≥', value: 300, of: 'figure' },
    },
    {
      name: `4 checkouts/s, grouped (p99 ${grouped!.summary.p99.toFixed(0)} ms)`,
      figure: grouped!.summary.perSecond,
      unit: '/s',
      baseline: perSecond,
      target: { op: '≥', value: 0.5, of: 'ratio' },
    },
    {
      name: `4 checkouts/s, split (p99 ${split!.summary.p99.toFixed(0)} ms)`,
      figure: split!.summary.perSecond,
      unit: '/s',
      baseline: perSecond,
      target: { op: '≥', value: 0.5, of: 'ratio' },
    },
    {
      name: `5 outbox lag p50 under checkout load, monolith (p99 ${server!.lag!.p99} ms)`,
      figure: server!.lag!.p50,
      unit: ' ms',
      digits: 0,
    },
    {
      name: `5 outbox lag p50 under checkout load, split (p99 ${split!.lag!.p99} ms)`,
      figure: split!.lag!.p50,
      unit: ' ms',
      baseline: { label: 'monolith', value: server!.lag!.p50 },
      digits: 0,
    },
    {
      name: `7 idle RSS, largest split service (${largest}, ${IDLE_MS / 1000} s idle)`,
      figure: largestRss,
      unit: ' MiB',
      ...(helloIdleRss ? { baseline: helloIdleRss } : {}),
      target: { op: '≤', value: 100, of: 'figure' },
    },
    {
      name: `— the same, 2 s after ready (largest: ${largestAtStart})`,
      figure: largestRssAtStart,
      unit: ' MiB',
      ...(bareIdle ? { baseline: bareIdle } : {}),
    },
  );
}

async function embeddedSection(): Promise<void> {
  const database = await freshDatabase('pglite');
  let server: RunningProcess | undefined;
  try {
    const started = await measureStart(database);
    server = started.server;
    const { figures } = started;
    const id = await demoProductId(server.url);
    const [byId] = await measureRead(
      [{ label: 'seam on PGlite', url: server.url }],
      [`/api/catalog/products/${id}`],
      load,
    );
    printReadTable([byId!]);
    rows.push(
      {
        name: '6 PGlite second start to ready',
        figure: figures.secondMs,
        unit: ' ms',
        baseline: { label: 'hono hello-world', value: figures.helloMs },
        target: { op: '≤', value: 1500, of: 'figure' },
        digits: 0,
      },
      {
        name: `6 PGlite idle RSS (${IDLE_MS / 1000} s idle)`,
        figure: figures.idleRssMiB,
        unit: ' MiB',
        baseline: helloIdle(figures),
        target: { op: '≤', value: 200, of: 'figure' },
      },
      {
        name: '— the same, 2 s after ready',
        figure: figures.startRssMiB,
        unit: ' MiB',
      },
      {
        name: '6 PGlite GET product by id, req/s (best)',
        figure: byId!.runs[0]!.best,
        unit: '/s',
        ...(bareById ? { baseline: { label: 'bare on Postgres', value: bareById } } : {}),
        target: { op: '≥', value: 1500, of: 'figure' },
        digits: 0,
      },
    );
  } finally {
    await server?.stop().catch(() => {});
    await database.dispose().catch(() => {});
  }
}

function printRows(list: readonly Row[]): void {
  const cells = list.map((row) => {
    const digits = row.digits ?? 1;
    const ratio = row.baseline ? row.figure / row.baseline.value : undefined;
    const checked = row.target?.of === 'ratio' ? ratio : row.figure;
    const met =
      row.target === undefined || checked === undefined
        ? '—'
        : (row.target.op === '≥' ? checked >= row.target.value : checked <= row.target.value)
          ? 'met'
          : 'NOT met';
    return [
      row.name,
      `${row.figure.toFixed(digits)}${row.unit}`,
      row.baseline
        ? `${row.baseline.value.toFixed(digits)}${row.unit} (${row.baseline.label})`
        : '—',
      ratio === undefined ? '—' : `${ratio.toFixed(2)}×`,
      row.target
        ? `${row.target.op} ${row.target.value}${row.target.of === 'ratio' ? '×' : row.unit}`
        : '—',
      met,
    ];
  });
  const header = ['target', 'figure', 'baseline', 'ratio', 'target', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const c of cells) console.log(line(c));
}

function readSections(raw: string | undefined): SectionName[] {
  if (raw === undefined) return [...SECTIONS];
  const names = raw
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes a comma-separated list of ${SECTIONS.join(', ')}`);
  }
  return SECTIONS.filter((s) => names.includes(s));
}

function redact(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}
