// startServer runs the real server the way users do — `node --import tsx
// apps/server/src/main.ts` from the repository root — on a fresh database and a
// free loopback port, and stops it with SIGTERM as a process manager would.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@seam/platform/testing';

export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const SERVER_ENTRY = 'apps/server/src/main.ts';

/** Variables the test runner sets that the server must not inherit. */
const SCRUBBED = /^(NODE_ENV|PORT|HOST|LOG_LEVEL|DATABASE_URL|SEAM_.*|VITEST.*|TEST|NODE_OPTIONS)$/;

export interface StartServerOptions {
  /** env is added to the server's environment (after the defaults). */
  env?: Record<string, string>;
  /** readyTimeoutMs bounds the wait for `/health/ready` to answer 200. */
  readyTimeoutMs?: number;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
}

export interface RunningServer {
  url: string;
  pid: number;
  database: TestDatabase;
  /** startupMs is the time from spawn to the first 200 from `/health/ready`. */
  startupMs: number;
  /** logs returns what the server printed so far (stdout and stderr, interleaved). */
  logs(): string;
  /** stop sends SIGTERM and waits up to `timeoutMs` for the exit; SIGKILL after that. */
  stop(timeoutMs?: number): Promise<StopResult>;
}

/**
 * startServer spawns the server on a fresh database — a new Postgres database
 * when DATABASE_URL is set, else PGlite in a temporary folder — and resolves once
 * it is ready.
 *
 * @example
 * const server = await startServer();
 * const res = await fetch(`${server.url}/api/catalog/products`);
 * expect((await server.stop()).code).toBe(0);
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const database = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!SCRUBBED.test(key)) env[key] = value;
  }
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...database.env,
    ...options.env,
  });

  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_ENTRY], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const logs = () => output.join('');
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once('exit', (code, signal) => resolve([code, signal]));
    child.once('error', (error) => {
      output.push(`spawn failed: ${error.message}\n`);
      resolve([null, null]);
    });
  });

  try {
    await waitUntilReady(url, child, exited, options.readyTimeoutMs ?? 90_000);
  } catch (error) {
    await terminate(child, exited, 5_000).catch(() => {});
    await database.dispose().catch(() => {});
    throw new Error(`${(error as Error).message}\n--- server output ---\n${tail(logs())}`, {
      cause: error,
    });
  }
  const startupMs = Math.round(performance.now() - started);

  let stopping: Promise<StopResult> | undefined;
  return {
    url,
    pid: child.pid!,
    database,
    startupMs,
    logs,
    stop(timeoutMs = 15_000) {
      stopping ??= (async () => {
        try {
          return await terminate(child, exited, timeoutMs);
        } finally {
          await database.dispose();
        }
      })();
      return stopping;
    },
  };
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  exited: Promise<[number | null, NodeJS.Signals | null]>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let early: [number | null, NodeJS.Signals | null] | undefined;
  void exited.then((result) => (early = result));
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (early)
      throw new Error(
        `The server exited before it was ready (code ${early[0]}, signal ${early[1]})`,
      );
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `The server (pid ${child.pid}) was not ready within ${timeoutMs} ms; last answer from /health/ready: ${last}`,
  );
}

async function terminate(
  child: ChildProcess,
  exited: Promise<[number | null, NodeJS.Signals | null]>,
  timeoutMs: number,
): Promise<StopResult> {
  const started = performance.now();
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`The server (pid ${child.pid}) did not exit within ${timeoutMs} ms of SIGTERM`);
  }
  return { code: result[0], signal: result[1], ms: Math.round(performance.now() - started) };
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
