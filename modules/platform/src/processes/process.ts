// The one way Seam starts its own programs as child processes — for the
// end-to-end tests, the benchmarks and the crash-recovery tests: the server and
// the gateway from their prebuilt bundles (`node apps/server/scripts/start.mjs
// <program>`, what `npm start` and the image run), any other TypeScript entry
// with `node --import tsx <entry>`, from the repository root, on a loopback
// port, timed to the first 200 from /health/ready, stopped with SIGTERM as a
// process manager would.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
/** LAUNCHER builds (when stale) and runs the bundle of a program: `npm start`. */
export const LAUNCHER = 'apps/server/scripts/start.mjs';
/**
 * SERVER_NODE_FLAGS are node's flags for Seam's programs wherever they run (`npm
 * start`, the image, its Compose and Kubernetes commands, these child processes).
 * V8 lets the young generation grow to 2 × 16 MiB and keeps it while allocation
 * goes on (the dispatcher's polls, the gateway's probes): ≈ 20–30 MiB of an idle
 * process's RSS held for garbage. 8 MiB semi-spaces keep ≈ 12 MiB of it; see
 * docs/benchmarks.md ("Idle memory and the young generation").
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=8'];
/** SERVER_ENTRY and GATEWAY_ENTRY name bundled programs of the LAUNCHER. */
export const SERVER_ENTRY = 'server';
export const GATEWAY_ENTRY = 'gateway';

/**
 * nodeArgs are node's arguments to run `entry`: a TypeScript file (relative to
 * the repository) through tsx, or the name of a bundled program (`server`,
 * `gateway`, `migrate`) through the LAUNCHER, as users run it.
 */
export function nodeArgs(entry: string): string[] {
  return entry.endsWith('.ts')
    ? ['--import', 'tsx', entry]
    : [...SERVER_NODE_FLAGS, LAUNCHER, entry];
}

/** Variables of the calling process (a test runner, a shell) a child must not inherit. */
const SCRUBBED =
  /^(NODE_ENV|PORT|HOST|LOG_LEVEL|DATABASE_URL|SEAM_.*|TOPOLOGY|VITEST.*|TEST|NODE_OPTIONS)$/;

export interface ProcessOptions {
  /** name labels errors ("catalog: not ready within …"). */
  name?: string;
  /** entry is a TypeScript file relative to the repository root or a bundled program (nodeArgs); the server by default. */
  entry?: string;
  /**
   * args replaces nodeArgs(entry) as node's arguments, e.g. to add `--cpu-prof`.
   */
  args?: string[];
  /** port to listen on; a free loopback port by default. */
  port?: number;
  /**
   * host is the address it listens on and is reached at: 127.0.0.1 by default, or
   * the address of a network namespace it runs in (see `command`).
   */
  host?: string;
  /**
   * command runs node under another program, e.g. `['ip', 'netns', 'exec', 'ns1']`
   * to start it inside a network namespace; that program must exec node in place,
   * so the pid (and SIGTERM, SIGKILL) are node's.
   */
  command?: string[];
  /** env is added to the child's environment, after PORT, HOST and LOG_LEVEL=warn. */
  env?: Record<string, string>;
  /** readyTimeoutMs bounds the wait for `/health/ready` to answer 200. */
  readyTimeoutMs?: number;
  /** cwd is where it runs and where `tsx` and `entry` are resolved; the repository by default. */
  cwd?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StopResult extends ExitStatus {
  /** ms from SIGTERM to the exit. */
  ms: number;
  /** killed is true when SIGTERM was not enough and SIGKILL ended it. */
  killed: boolean;
}

export interface RunningProcess {
  name: string;
  url: string;
  pid: number;
  /** readyMs is the time from spawn to the first 200 from `/health/ready`. */
  readyMs: number;
  /** exited resolves once the process is gone, however it ended. */
  exited: Promise<ExitStatus>;
  /** logs returns what the process printed so far (stdout and stderr, interleaved). */
  logs(): string;
  /** memory reads VmRSS (now) and VmHWM (peak) in MiB from /proc/<pid>/status. */
  memory(): Promise<{ rssMiB: number; peakMiB: number }>;
  /** stop sends SIGTERM and waits up to `timeoutMs` for the exit; SIGKILL after that. */
  stop(timeoutMs?: number): Promise<StopResult>;
  /** kill ends it at once (SIGKILL), as a crash would, and waits for the exit. */
  kill(): Promise<ExitStatus>;
}

/**
 * startProcess spawns `node <nodeArgs(entry)>` and resolves once its
 * `/health/ready` answers 200; if it exits or times out first, the error carries
 * the tail of its output.
 *
 * @example
 * const db = await createTestDatabase();
 * const server = await startProcess({ env: db.env });
 * await fetch(`${server.url}/api/catalog/products`);
 * expect((await server.stop()).code).toBe(0);
 */
export async function startProcess(options: ProcessOptions = {}): Promise<RunningProcess> {
  const name = options.name ?? 'server';
  const port = options.port ?? (await freePort());
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host}:${port}`;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!SCRUBBED.test(key)) env[key] = value;
  }
  Object.assign(env, { PORT: String(port), HOST: host, LOG_LEVEL: 'warn', ...options.env });

  const started = performance.now();
  const args = options.args ?? nodeArgs(options.entry ?? SERVER_ENTRY);
  const [program, ...programArgs] = [...(options.command ?? []), process.execPath, ...args];
  const child = spawn(program!, programArgs, {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const logs = () => output.join('');
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      output.push(`spawn failed: ${error.message}\n`);
      resolve({ code: null, signal: null });
    });
  });

  try {
    await waitForReady(url, { timeoutMs: options.readyTimeoutMs ?? 120_000, exited });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${name}: ${(error as Error).message}\n--- output ---\n${tail(logs())}`, {
      cause: error,
    });
  }
  const readyMs = performance.now() - started;

  let stopping: Promise<StopResult> | undefined;
  return {
    name,
    url,
    pid: child.pid!,
    readyMs,
    exited,
    logs,
    memory: () => readMemory(child),
    stop(timeoutMs = 15_000) {
      stopping ??= terminate(child, exited, timeoutMs);
      return stopping;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
}

export interface ReadyOptions {
  timeoutMs: number;
  /** exited, when it settles first, ends the wait: the process is gone. */
  exited?: Promise<ExitStatus>;
  /** cancelled, when it returns true, ends the wait (quietly: no error). */
  cancelled?: () => boolean;
  /** intervalMs between polls; short, since it bounds the resolution of start-up times. */
  intervalMs?: number;
}

/**
 * waitForReady polls `<url>/health/ready` until it answers 200. It fails when the
 * process exits first or after the timeout, saying what the endpoint last said.
 */
export async function waitForReady(url: string, options: ReadyOptions): Promise<void> {
  let gone: ExitStatus | undefined;
  void options.exited?.then((status) => (gone = status));
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline && !options.cancelled?.()) {
    if (gone) {
      throw new Error(`exited before it was ready (code ${gone.code}, signal ${gone.signal})`);
    }
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      const text = await res.text();
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${text.slice(0, 500)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 20));
  }
  if (options.cancelled?.()) return;
  throw new Error(`not ready within ${options.timeoutMs} ms; /health/ready last said: ${last}`);
}

async function terminate(
  child: ChildProcess,
  exited: Promise<ExitStatus>,
  timeoutMs: number,
): Promise<StopResult> {
  const started = performance.now();
  if (child.exitCode !== null || child.signalCode !== null) {
    return { ...(await exited), ms: 0, killed: false };
  }
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (result !== 'timeout') {
    return { ...result, ms: Math.round(performance.now() - started), killed: false };
  }
  child.kill('SIGKILL');
  return { ...(await exited), ms: Math.round(performance.now() - started), killed: true };
}

async function readMemory(child: ChildProcess): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** freePort asks the kernel for an unused loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('Could not pick a free port');
  return address.port;
}

function tail(text: string, lines = 60): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
