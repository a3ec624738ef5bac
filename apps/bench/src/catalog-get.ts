// Benchmark: GET /api/catalog/products/{id} on the real server against a bare Hono
// hello-world, plus the server's cold start and idle memory.
//
//   npx tsx apps/bench/src/catalog-get.ts [--duration 10] [--connections 50]
//                                         [--pipelining 1] [--warmup 3]
//
// The same settings can come from BENCH_DURATION, BENCH_CONNECTIONS,
// BENCH_PIPELINING and BENCH_WARMUP. Both servers run as child processes started
// with `node --import tsx`, so neither shares a process with the load generator
// (autocannon, in this process). The database is PGlite in a fresh temporary
// folder, or a fresh database on the server DATABASE_URL names.
import { parseArgs } from 'node:util';
import autocannon, { type Result } from 'autocannon';
import { createTestDatabase } from '@seam/platform/testing';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import { integerOption, ms, printLoadAtEnd, printMachine, section } from './report.js';

const HELLO_ENTRY = 'apps/bench/src/hello-server.ts';

interface Settings {
  duration: number;
  connections: number;
  pipelining: number;
  warmup: number;
}

interface Measured {
  label: string;
  result: Result;
}

const settings = readSettings();
const database = await createTestDatabase();
const serverEnv = { LOG_LEVEL: 'warn', ...database.env };
let running: RunningProcess | undefined;

try {
  printMachine(
    `${settings.duration}s per run after a ${settings.warmup}s warm-up, ${settings.connections} connections, pipelining ${settings.pipelining}, database ${database.kind}, server LOG_LEVEL=warn`,
  );

  section('Cold start (spawn → first 200 from /health/ready)');
  running = await startProcess({ name: 'seam (first start)', env: serverEnv });
  const first = running;
  await settle();
  const firstMemory = await first.memory();
  await expectCleanExit(first);
  running = await startProcess({
    name: 'seam (second start)',
    env: serverEnv,
  });
  const seam = running;
  await settle();
  const seamIdle = await seam.memory();
  console.log(
    `first start, empty ${database.kind} (migrations + demo seed): ${ms(first.readyMs)}, idle RSS ${mib(firstMemory.rssMiB)}`,
  );
  console.log(
    `second start, same ${database.kind}:                          ${ms(seam.readyMs)}, idle RSS ${mib(seamIdle.rssMiB)}`,
  );

  const productId = await demoProductId(seam.url);
  const productUrl = `${seam.url}/api/catalog/products/${productId}`;
  section(`Load: GET /api/catalog/products/${productId}`);
  const seamResult = await load('seam', productUrl, settings);
  const seamAfter = await seam.memory();
  await expectCleanExit(seam);
  running = undefined;

  running = await startProcess({ name: 'hello', entry: HELLO_ENTRY });
  const hello = running;
  await settle();
  const helloIdle = await hello.memory();
  section('Load: GET / on a bare Hono hello-world (@hono/node-server)');
  const helloResult = await load('hello', `${hello.url}/`, settings);
  const helloAfter = await hello.memory();
  await expectCleanExit(hello);
  running = undefined;

  section('Results');
  printComparison(
    { label: 'seam GET product', result: seamResult },
    { label: 'hono hello-world', result: helloResult },
  );
  console.log('');
  console.log('memory (MiB)                 seam            hello');
  console.log(
    `idle RSS after start         ${pad(seamIdle.rssMiB.toFixed(1), 16)}${helloIdle.rssMiB.toFixed(1)}`,
  );
  console.log(
    `RSS after load               ${pad(seamAfter.rssMiB.toFixed(1), 16)}${helloAfter.rssMiB.toFixed(1)}`,
  );
  console.log(
    `peak RSS (VmHWM)             ${pad(seamAfter.peakMiB.toFixed(1), 16)}${helloAfter.peakMiB.toFixed(1)}`,
  );
  console.log('');
  console.log(`cold start, first (migrate + seed)   ${ms(first.readyMs)}`);
  console.log(`cold start, second (same database)   ${ms(seam.readyMs)}`);
  console.log(`hello-world start                    ${ms(hello.readyMs)}`);
  printLoadAtEnd();
} finally {
  await running?.stop().catch(() => {});
  await database.dispose().catch(() => {});
}

async function load(label: string, url: string, options: Settings): Promise<Result> {
  const common = { url, connections: options.connections, pipelining: options.pipelining };
  if (options.warmup > 0) {
    console.log(`${label}: warm-up ${options.warmup}s…`);
    await autocannon({ ...common, duration: options.warmup });
  }
  console.log(`${label}: ${options.duration}s, ${options.connections} connections…`);
  const result = await autocannon({ ...common, duration: options.duration });
  const failed = result.errors + result.timeouts + result.non2xx;
  console.log(
    `${label}: ${Math.round(result.requests.average)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result['2xx']} ok, ${failed} failed`,
  );
  if (failed > 0) {
    throw new Error(
      `${label}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts; the figures would be meaningless`,
    );
  }
  return result;
}

function printComparison(seam: Measured, hello: Measured): void {
  const rows: [string, (r: Result) => number, string, number][] = [
    ['req/s (avg)', (r) => r.requests.average, '', 0],
    ['latency p50', (r) => r.latency.p50!, ' ms', 1],
    ['latency p99', (r) => r.latency.p99!, ' ms', 1],
    ['latency avg', (r) => r.latency.average, ' ms', 2],
    ['requests total', (r) => r.requests.total, '', 0],
  ];
  const widths = [18, 20, 20, 16];
  console.log(
    pad('', widths[0]!) +
      pad(seam.label, widths[1]!) +
      pad(hello.label, widths[2]!) +
      'seam ÷ hello',
  );
  for (const [name, pick, unit, digits] of rows) {
    const a = pick(seam.result);
    const b = pick(hello.result);
    console.log(
      pad(name, widths[0]!) +
        pad(a.toFixed(digits) + unit, widths[1]!) +
        pad(b.toFixed(digits) + unit, widths[2]!) +
        (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a'),
    );
  }
}

async function demoProductId(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/catalog/products?limit=1`);
  const page = (await res.json()) as { items?: { id: string }[] };
  const id = page.items?.[0]?.id;
  if (res.status !== 200 || !id) {
    throw new Error(`No demo product to benchmark (GET /api/catalog/products → ${res.status})`);
  }
  const check = await fetch(`${baseUrl}/api/catalog/products/${id}`);
  if (check.status !== 200) throw new Error(`GET /api/catalog/products/${id} → ${check.status}`);
  return id;
}

async function expectCleanExit(service: RunningProcess): Promise<void> {
  const { code } = await service.stop();
  if (code !== 0) throw new Error(`${service.name} exited with code ${code}\n${service.logs()}`);
}

/** settle lets start-up garbage be collected and lazy work finish before reading memory. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2_000));
}

function readSettings(): Settings {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      pipelining: { type: 'string' },
      warmup: { type: 'string' },
    },
  });
  return {
    duration: integerOption('duration', values.duration, 10, 1),
    connections: integerOption('connections', values.connections, 50, 1),
    pipelining: integerOption('pipelining', values.pipelining, 1, 1),
    warmup: integerOption('warmup', values.warmup, 3, 0),
  };
}

function mib(value: number): string {
  return `${value.toFixed(1)} MiB`;
}

function pad(text: string, width: number): string {
  return text.padEnd(width);
}
