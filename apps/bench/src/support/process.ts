// Child processes for the benchmarks: spawn a TypeScript entry with tsx the way
// users run it, time it to its first 200 from /health/ready, read its memory from
// /proc, and stop it with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url));

/** Variables of the calling shell that must not leak into a benchmarked process. */
const SCRUBBED = /^(NODE_ENV|PORT|HOST|LOG_LEVEL|DATABASE_URL|SEAM_.*|NODE_OPTIONS)$/;

export interface Service {
  name: string;
  url: string;
  pid: number;
  /** readyMs is the time from spawn to the first 200 from /health/ready. */
  readyMs: number;
  /** memory reads VmRSS (now) and VmHWM (peak) in MiB from /proc/<pid>/status. */
  memory(): Promise<{ rssMiB: number; peakMiB: number }>;
  logs(): string;
  /** stop sends SIGTERM and resolves with the exit code; SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  /** entry is a TypeScript file relative to the repository root. */
  entry: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

/**
 * startService runs `node --import tsx <entry>` from the repository root on a free
 * loopback port and waits until `/health/ready` answers 200.
 *
 * @example
 * const seam = await startService({ name: 'seam', entry: 'apps/server/src/main.ts' });
 * console.log(seam.readyMs, await seam.memory());
 * await seam.stop();
 */
export async function startService(options: SpawnOptions): Promise<Service> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!SCRUBBED.test(key)) env[key] = value;
  }
  Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', ...options.env });

  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const logs = () => output.join('');
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      output.push(`spawn failed: ${error.message}\n`);
      resolve(null);
    });
  });

  try {
    await waitUntilReady(url, exited, options.readyTimeoutMs ?? 120_000);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${options.name}: ${(error as Error).message}\n${logs().slice(-4000)}`);
  }
  const readyMs = performance.now() - started;

  return {
    name: options.name,
    url,
    pid: child.pid!,
    readyMs,
    memory: () => readMemory(child),
    logs,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

async function waitUntilReady(
  url: string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`exited with code ${exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    // A short interval: the poll period bounds the resolution of the start-up time.
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`not ready within ${timeoutMs} ms`);
}

async function readMemory(child: ChildProcess): Promise<{ rssMiB: number; peakMiB: number }> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('Could not pick a free port');
  return address.port;
}
