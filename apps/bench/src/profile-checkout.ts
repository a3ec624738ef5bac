// Profile: where a checkout's time and database work go. Starts the monolith
// (apps/server) on a fresh Postgres database under `node --cpu-prof`, with its
// database connections through a counting proxy (pg-wire-counter.ts), runs
// `orders` checkouts with `concurrency` in flight, and reports per checkout the
// SQL statements, transactions and round trips (counted on the wire), the
// xact_commit and tuple deltas of pg_stat_database, the statements by text, and
// the top self-time functions of the CPU profile during the checkouts.
//
//   npx tsx apps/bench/src/profile-checkout.ts [--orders 200] [--concurrency 32]
//                                              [--warmup 20] [--top 25]
//
// pg_stat_statements is not used: the extension is available on the local
// server but is not in shared_preload_libraries, which needs a restart. The
// server's process is spawned here, not through @seam/platform/processes,
// because startProcess takes no node flags and NODE_OPTIONS refuses --cpu-prof.
// Everything after the setup (shoppers registered, carts filled) counts; the
// figures include the outbox dispatcher's work for those orders, and its idle
// polling, which is measured apart and shown.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import {
  freePort,
  nodeArgs,
  REPO_ROOT,
  SERVER_ENTRY,
  waitForReady,
} from '@seam/platform/processes';
import { fetchRequester, shop } from '@seam/shopper';
import { DEFAULT_DATABASE_URL, freshDatabase } from './catalog-get.js';
import { diffCounts, startWireCounter, type WireCounts } from './pg-wire-counter.js';
import { integerOption, ms, printLoadAtEnd, printMachine, section, settle } from './report.js';
import { prepareShoppers, runCheckouts, SHOP_ENV } from './shoppers.js';

const SCRUBBED = /^(NODE_ENV|PORT|HOST|LOG_LEVEL|DATABASE_URL|SEAM_.*|TOPOLOGY|NODE_OPTIONS)$/;
const STAT_COLUMNS = [
  'xact_commit',
  'xact_rollback',
  'tup_returned',
  'tup_fetched',
  'tup_inserted',
  'tup_updated',
  'tup_deleted',
] as const;
type DatabaseStats = Record<(typeof STAT_COLUMNS)[number], number>;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values } = parseArgs({
  options: {
    orders: { type: 'string' },
    concurrency: { type: 'string' },
    warmup: { type: 'string' },
    top: { type: 'string' },
  },
});
const settings = {
  orders: integerOption('orders', values.orders, 200, 1),
  concurrency: integerOption('concurrency', values.concurrency, 32, 1),
  warmup: integerOption('warmup', values.warmup, 20, 0),
  top: integerOption('top', values.top, 25, 1),
};
process.env.DATABASE_URL ??= DEFAULT_DATABASE_URL;
const database = await freshDatabase('postgres');
const databaseUrl = database.env.DATABASE_URL!;
const databaseName = new URL(databaseUrl).pathname.slice(1);
const counter = await startWireCounter(databaseUrl);
const profileDir = await mkdtemp(join(tmpdir(), 'seam-cpu-prof-'));
const stats = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
let stopServer: (() => Promise<void>) | undefined;

try {
  printMachine(
    `${settings.orders} checkouts after ${settings.warmup} warm-up, ${settings.concurrency} in flight (one shopper per order), monolith on Postgres through a counting proxy, node --cpu-prof, LOG_LEVEL=warn`,
  );
  const server = await startProfiledServer();
  stopServer = server.stop;
  console.log(`server ready in ${ms(server.readyMs)} (profiling; connections through the proxy)`);
  const api = shop(fetchRequester(server.url));

  section('Setup (not counted)');
  const started = performance.now();
  // One shopper per order, so no cart is refilled inside the counted window.
  const shoppers = await prepareShoppers(
    api,
    settings.warmup + settings.orders,
    settings.concurrency,
  );
  console.log(`${shoppers.length} shoppers ready in ${ms(performance.now() - started)}`);

  section('Idle (background work: the outbox dispatcher polling)');
  await settle(1_500);
  const idleStart = counter.snapshot();
  const idleClock = performance.now();
  await settle(3_000);
  const idle = diffCounts(counter.snapshot(), idleStart);
  const idleSeconds = (performance.now() - idleClock) / 1000;
  console.log(
    `per second idle: ${(idle.statements / idleSeconds).toFixed(1)} statements, ${(idle.transactions / idleSeconds).toFixed(1)} transactions, ${(idle.roundTrips / idleSeconds).toFixed(1)} round trips`,
  );

  section(`Checkouts: ${settings.orders}, ${settings.concurrency} in flight`);
  // The warm-up runs first, outside the counted window.
  if (settings.warmup > 0) {
    await runCheckouts(api, shoppers.slice(0, settings.warmup), {
      orders: settings.warmup,
      warmup: 0,
      concurrency: settings.concurrency,
    });
  }
  await settle(1_500);
  const statsBefore = await databaseStats();
  const wireBefore = counter.snapshot();
  const windowStart = process.hrtime.bigint();
  const windowClock = performance.now();
  const run = await runCheckouts(api, shoppers.slice(settings.warmup), { ...settings, warmup: 0 });
  const windowEnd = process.hrtime.bigint();
  // Let the dispatcher deliver the orders' events and backends flush their stats (≥ 1 s).
  await settle(1_500);
  const wire = diffCounts(counter.snapshot(), wireBefore);
  const windowSeconds = (performance.now() - windowClock) / 1000;
  const statsAfter = await databaseStats();
  console.log(
    `${run.summary.perSecond.toFixed(1)} checkouts/s (p50 ${run.summary.p50.toFixed(0)} ms, p99 ${run.summary.p99.toFixed(0)} ms), ${run.confirmed} of ${run.results.length} confirmed — slowed by the profiler and the proxy`,
  );

  section('Per checkout (counted window: the checkouts and 1.5 s after them)');
  printPerCheckout(wire, idle, idleSeconds, windowSeconds, statsBefore, statsAfter);

  await stopServer();
  stopServer = undefined;
  section(
    `CPU profile of the server during the checkouts: top ${settings.top} functions by self time`,
  );
  const profile = await readProfile();
  printProfile(profile, windowStart / 1000n, windowEnd / 1000n, settings.top);
  printLoadAtEnd();
} finally {
  await stopServer?.().catch(() => {});
  await counter.close().catch(() => {});
  await stats.end({ timeout: 1 }).catch(() => {});
  await database.dispose().catch(() => {});
  await rm(profileDir, { recursive: true, force: true });
}

async function startProfiledServer() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!SCRUBBED.test(key)) env[key] = value;
  }
  Object.assign(env, {
    ...SHOP_ENV,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: counter.url,
  });
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--cpu-prof', '--cpu-prof-dir', profileDir, ...nodeArgs(SERVER_ENTRY)],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const errors: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => errors.push(chunk));
  let stopping = false;
  const exited = once(child, 'exit').then(([code, signal]) => {
    if (!stopping) console.error(`server exited early (${code ?? signal}):\n${errors.join('')}`);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  try {
    await waitForReady(url, { timeoutMs: 120_000, exited });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${errors.join('')}`, { cause: error });
  }
  return {
    url,
    readyMs: performance.now() - started,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const status = await exited;
      clearTimeout(timer);
      if (status.code !== 0) {
        throw new Error(`server exited with ${status.code ?? status.signal}\n${errors.join('')}`);
      }
    },
  };
}

async function databaseStats(): Promise<DatabaseStats> {
  const [row] = await stats.unsafe(
    `select ${STAT_COLUMNS.join(', ')} from pg_stat_database where datname = $1`,
    [databaseName],
  );
  return Object.fromEntries(STAT_COLUMNS.map((c) => [c, Number(row?.[c])])) as DatabaseStats;
}

function printPerCheckout(
  wire: WireCounts,
  idle: WireCounts,
  idleSeconds: number,
  windowSeconds: number,
  before: DatabaseStats,
  after: DatabaseStats,
): void {
  const n = settings.orders;
  const background = (value: number) => (value / idleSeconds) * windowSeconds;
  const line = (label: string, total: number, idleTotal?: number) => {
    const net = idleTotal === undefined ? total : total - background(idleTotal);
    console.log(
      `${label.padEnd(44)}${(total / n).toFixed(1).padStart(8)}${idleTotal === undefined ? '' : `   (${(net / n).toFixed(1)} without the idle polling)`}`,
    );
  };
  line('SQL statements (wire: Execute + Query)', wire.statements, idle.statements);
  line('transactions (wire: ReadyForQuery idle)', wire.transactions, idle.transactions);
  line('round trips (wire: ReadyForQuery)', wire.roundTrips, idle.roundTrips);
  for (const column of STAT_COLUMNS) {
    line(`pg_stat_database ${column}`, after[column] - before[column]);
  }
  console.log(
    `(${n} checkouts; window ${windowSeconds.toFixed(1)} s; idle background over that window ≈ ${background(idle.statements).toFixed(0)} statements, ${background(idle.transactions).toFixed(0)} transactions; new connections in the window: ${wire.connections})`,
  );
  console.log('\nstatements per checkout, by text (top 30)');
  const sorted = [...wire.byText].sort((a, b) => b[1] - a[1]).slice(0, 30);
  for (const [text, count] of sorted) {
    console.log(`${(count / n).toFixed(2).padStart(7)}  ${text.slice(0, 150)}`);
  }
}

/**
 * readProfile reads the main thread's profile: node names them
 * CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile, thread 0 being the
 * main one (a worker thread writes its own).
 */
async function readProfile(): Promise<CpuProfile> {
  const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
  const main = files.find((f) => f.split('.')[4] === '0');
  if (!main) throw new Error(`No main-thread .cpuprofile in ${profileDir}: ${files.join(', ')}`);
  if (files.length > 1) console.log(`(${files.length - 1} worker-thread profile(s) not shown)`);
  return JSON.parse(await readFile(join(profileDir, main), 'utf8')) as CpuProfile;
}

/**
 * printProfile sums self time by function (name, file, line) over the samples
 * taken between `from` and `to` (µs, the monotonic clock V8 and
 * process.hrtime share); a sample's self time is the gap to the next sample.
 */
function printProfile(profile: CpuProfile, from: bigint, to: bigint, top: number): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let time = profile.startTime;
  let total = 0;
  let inWindow = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i]!;
    if (time < Number(from) || time > Number(to)) continue;
    inWindow++;
    const gap = profile.timeDeltas[i + 1] ?? 0;
    const frame = byId.get(profile.samples[i]!)!.callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + gap);
    const owner = packageOf(frame.url, frame.functionName);
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + gap);
    total += gap;
    if (frame.functionName === '(idle)') idle += gap;
  }
  if (inWindow === 0) {
    console.log('no samples in the checkout window (clock mismatch?); nothing to report');
    return;
  }
  console.log(
    `${inWindow} samples, ${(total / 1000).toFixed(0)} ms sampled in the window, ${((total - idle) / 1000).toFixed(0)} ms of it busy: ${((total - idle) / 1000 / settings.orders).toFixed(2)} ms of the server's main thread per checkout`,
  );
  console.log(`\n${'self ms'.padStart(9)}${'%'.padStart(7)}  function  file:line`);
  for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(
      `${(us / 1000).toFixed(0).padStart(9)}${((us / total) * 100).toFixed(1).padStart(7)}  ${key}`,
    );
  }
  console.log(`\nself time by package`);
  for (const [owner, us] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(
      `${(us / 1000).toFixed(0).padStart(9)}${((us / total) * 100).toFixed(1).padStart(7)}  ${owner}`,
    );
  }
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  return path.startsWith(REPO_ROOT) ? path.slice(REPO_ROOT.length) : path;
}

function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (match) return match[1]!;
  if (path.startsWith('node:')) return 'node (internal)';
  const local = /\/(modules|apps)\/([^/]+)\//.exec(path);
  return local ? `${local[1]}/${local[2]}` : path;
}
