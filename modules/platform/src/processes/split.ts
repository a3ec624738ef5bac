// Running a whole topology on this machine: one apps/server process per
// replica and the gateway in front, output prefixed by process, stopped
// together. `npm run start:split` (apps/gateway) is this with the real entries;
// the end-to-end suite and the benchmarks start topologies the same way.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Topology } from '../topology.js';
import { GATEWAY_ENTRY, nodeArgs, REPO_ROOT, SERVER_ENTRY } from './process.js';

/** DEFAULT_SPLIT_DATA_DIR holds a local split's PGlite folders (and its service token). */
export const DEFAULT_SPLIT_DATA_DIR = '.data/split';
const DEFAULT_STOP_TIMEOUT_MS = 15_000;

/** Inherited variables that would contradict the topology; each child gets its own. */
const NOT_INHERITED = [
  'PORT',
  'SEAM_SERVICE',
  'SEAM_MODULES',
  'SEAM_REMOTES',
  'SEAM_TOPOLOGY',
  'TOPOLOGY',
];
const LOOPBACK = /^(127(\.\d{1,3}){3}|localhost|\[::1\])$/;

/** PlannedProcess is one child of the split: a replica of a service, or the gateway. */
export interface PlannedProcess {
  /** name prefixes its output: the service, `service#2` for further replicas, or `gateway`. */
  name: string;
  entry: string;
  url: string;
  env: Record<string, string>;
}

export interface PlanOptions {
  topology: Topology;
  /** topologyPath is handed to every child as SEAM_TOPOLOGY (made absolute). */
  topologyPath: string;
  env: Record<string, string | undefined>;
  gatewayPort: number;
  serverEntry?: string;
  gatewayEntry?: string;
  /**
   * hosts are addresses besides loopback that replicas may be at, because the
   * caller starts them there (a network namespace of this machine; see startTopology).
   */
  hosts?: readonly string[];
}

/**
 * planSplit decides what to start: every replica of every service (on its URL's
 * port, bound to loopback) and then the gateway. It refuses topologies that
 * cannot run on one machine, with the reason.
 */
export function planSplit(options: PlanOptions): PlannedProcess[] {
  const { topology, env } = options;
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !NOT_INHERITED.includes(key) && !key.startsWith('DATABASE_URL_')) {
      base[key] = value;
    }
  }
  const shared = {
    SEAM_TOPOLOGY: resolve(options.topologyPath),
    SEAM_SERVICE_TOKEN: env.SEAM_SERVICE_TOKEN || randomBytes(32).toString('hex'),
    SEAM_DATA_DIR: env.SEAM_DATA_DIR || DEFAULT_SPLIT_DATA_DIR,
  };
  const problems: string[] = [];
  const ports = new Map<number, string>([[options.gatewayPort, 'the gateway']]);
  const planned: PlannedProcess[] = [];

  for (const [service, definition] of Object.entries(topology.services)) {
    const databaseUrl = env[serviceDatabaseVariable(service)] || env.DATABASE_URL;
    if (definition.replicas.length > 1 && !databaseUrl) {
      problems.push(
        `service ${service} lists ${definition.replicas.length} replicas, but without DATABASE_URL each service keeps its data in one PGlite folder, which one process at a time can open; set DATABASE_URL (Postgres) or list one replica`,
      );
    }
    definition.replicas.forEach((url, index) => {
      const name = index === 0 ? service : `${service}#${index + 1}`;
      const parsed = new URL(url);
      const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
      const local = LOOPBACK.test(parsed.hostname) || options.hosts?.includes(parsed.hostname);
      if (parsed.protocol !== 'http:' || !local) {
        problems.push(
          `${name} is at ${url}; start:split runs every replica on this machine, so replica URLs must be http://127.0.0.1:<port> (compose and Kubernetes run the others)`,
        );
      }
      const owner = ports.get(port);
      if (owner) problems.push(`${name} wants port ${port}, which ${owner} already uses`);
      ports.set(port, name);
      planned.push({
        name,
        entry: options.serverEntry ?? SERVER_ENTRY,
        url,
        env: {
          ...base,
          ...shared,
          PORT: String(port),
          HOST:
            parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname.replace(/^\[|\]$/g, ''),
          SEAM_SERVICE: service,
          // Every request reaches a service through the gateway on this machine: believe
          // its X-Forwarded-For, or all clients would share one rate-limit bucket.
          SEAM_TRUST_PROXY:
            env.SEAM_TRUST_PROXY || ['loopback', ...(options.hosts ?? [])].join(','),
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
        },
      });
    });
  }
  if (problems.length > 0) {
    throw new Error(`Cannot run this topology locally:\n  - ${problems.join('\n  - ')}`);
  }
  planned.push({
    name: 'gateway',
    entry: options.gatewayEntry ?? GATEWAY_ENTRY,
    url: `http://127.0.0.1:${options.gatewayPort}`,
    env: {
      ...base,
      // A local run is for this machine: loopback unless HOST says otherwise.
      HOST: env.HOST || '127.0.0.1',
      SEAM_TOPOLOGY: shared.SEAM_TOPOLOGY,
      PORT: String(options.gatewayPort),
    },
  });
  return planned;
}

/**
 * serviceDatabaseVariable names the variable that gives one service of a split its
 * own Postgres database: `DATABASE_URL_<SERVICE>` (upper case, dashes as
 * underscores), e.g. DATABASE_URL_CATALOG. It wins over DATABASE_URL.
 */
export function serviceDatabaseVariable(service: string): string {
  return `DATABASE_URL_${service.toUpperCase().replaceAll('-', '_')}`;
}

export interface RunningChild {
  name: string;
  url: string;
  process: ChildProcess;
  /** exited resolves with the exit code, or the signal that ended the process. */
  exited: Promise<number | NodeJS.Signals | null>;
}

export interface Split {
  children: RunningChild[];
  /** say writes one of the runner's own lines, prefixed `[split]`. */
  say(line: string): void;
  /** stop ends the gateway, then the services: SIGTERM, SIGKILL after the timeout. */
  stop(): Promise<void>;
  /** allExited resolves once no child is left, whatever ended them. */
  allExited: Promise<void>;
}

export interface StartOptions {
  cwd?: string;
  /** stopTimeoutMs is how long a child may take to exit after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
  /** write receives every output line, already prefixed. */
  write?: (line: string) => void;
  color?: boolean;
  /** header is said before anything is started. */
  header?: string;
}

/** ANSI colours of the prefixes, when the output is a terminal. */
const COLORS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];
const GREY = 90;

/** startSplit spawns the planned processes, each `node <nodeArgs(entry)>`. */
export function startSplit(plan: PlannedProcess[], options: StartOptions = {}): Split {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const width = Math.max(...plan.map((p) => p.name.length), 'split'.length);
  const label = (name: string, color: number) => {
    const text = `[${name}]`.padEnd(width + 2);
    return options.color ? `\x1b[${color}m${text}\x1b[0m` : text;
  };
  const own = label('split', GREY);
  const say = (line: string) => write(`${own} ${line}`);
  if (options.header) say(options.header);
  let stopping = false;

  const children: RunningChild[] = plan.map((planned, index) => {
    const child = spawn(process.execPath, nodeArgs(planned.entry), {
      cwd: options.cwd ?? REPO_ROOT,
      env: planned.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C in the terminal reaches the runner only, which
      // then stops the children in order, once each (see stop).
      detached: true,
    });
    const prefix = label(planned.name, COLORS[index % COLORS.length]!);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
        write(`${prefix} ${line}`),
      );
    }
    const exited = new Promise<number | NodeJS.Signals | null>((resolveExit) => {
      child.once('exit', (code, signal) => {
        if (!stopping) {
          say(`${planned.name} exited unexpectedly (${signal ?? `code ${code}`}); not restarted`);
        }
        resolveExit(signal ?? code);
      });
      child.once('error', (error) => {
        say(`${planned.name} could not start: ${error.message}`);
        resolveExit(null);
      });
    });
    say(`started ${planned.name} (pid ${child.pid}) at ${planned.url}`);
    return { name: planned.name, url: planned.url, process: child, exited };
  });

  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  const terminate = async (child: RunningChild) => {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return;
    child.process.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (r) => (timer = setTimeout(() => r('timeout'), stopTimeoutMs)),
    );
    const result = await Promise.race([child.exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      say(`${child.name} did not stop within ${stopTimeoutMs} ms of SIGTERM; killed`);
      child.process.kill('SIGKILL');
      await child.exited;
    }
  };

  let stopped: Promise<void> | undefined;
  return {
    children,
    say,
    allExited: Promise.all(children.map((c) => c.exited)).then(() => undefined),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        const gateway = children.filter((c) => c.name === 'gateway');
        const services = children.filter((c) => c.name !== 'gateway');
        await Promise.all(gateway.map(terminate));
        await Promise.all(services.map(terminate));
      })();
      return stopped;
    },
  };
}
