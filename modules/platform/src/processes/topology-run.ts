// A whole topology running on this machine for a test or a benchmark: every
// replica of every service as its own server process on a free loopback port,
// each with the database it is given, and the gateway in front. Unlike
// `npm run start:split` (which prints prefixed output for a person), it keeps
// each process's output and can kill and restart one service, to show what a
// client sees while a service is down.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../topology.js';
import { freePort, startProcess, type RunningProcess } from './process.js';
import { planSplit, serviceDatabaseVariable, type PlannedProcess } from './split.js';

export interface TopologyRunOptions {
  /**
   * topology decides the services, their modules and how many replicas each has;
   * its URLs are replaced by free loopback ports.
   */
  topology: Topology;
  /** env goes to every process (services and gateway), e.g. LOG_LEVEL. */
  env?: Record<string, string>;
  /** serviceEnv goes to the replicas of one service: its database, for one. */
  serviceEnv?: Record<string, Record<string, string>>;
  /** gatewayEnv goes to the gateway only (SEAM_GATEWAY_PROBE_MS, …). */
  gatewayEnv?: Record<string, string>;
  /**
   * placement runs the replicas of a service elsewhere than on 127.0.0.1: at
   * `host`, started under `command` (a network namespace a partition test cuts
   * off, say). Every other process reaches them at that address.
   */
  placement?: Record<string, ServicePlacement>;
  readyTimeoutMs?: number;
}

/** ServicePlacement: where a service's replicas listen and how they are started. */
export interface ServicePlacement {
  host: string;
  /** command runs node under another program (`ip netns exec <name>`); see ProcessOptions. */
  command?: string[];
}

export interface TopologyRun {
  /** url is the gateway's: the one public entry. */
  url: string;
  /** topology as it runs: the given one with loopback ports. */
  topology: Topology;
  topologyPath: string;
  gateway: RunningProcess;
  /** replicas of each service, in the topology's order. */
  replicas(service: string): RunningProcess[];
  /** kill ends every replica of `service` with SIGKILL, as a crash would. */
  kill(service: string): Promise<void>;
  /**
   * restart starts the replicas of `service` again (only the `replica`-th when
   * given), same port, same environment; a replica still running is stopped first
   * (SIGTERM, as a rolling restart does).
   */
  restart(service: string, replica?: number): Promise<void>;
  /** logs returns every process's output so far, each line prefixed with its name. */
  logs(): string;
  /** stop ends the gateway, then the services (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/**
 * startTopology starts the services (in parallel) and then the gateway, and
 * resolves once the gateway's `/health/ready` says every service is ready.
 *
 * @example
 * const run = await startTopology({ topology: await loadTopology('topology/split.json') });
 * await fetch(`${run.url}/api/catalog/products`);
 * await run.kill('notifications');
 * await run.stop();
 */
export async function startTopology(options: TopologyRunOptions): Promise<TopologyRun> {
  const folder = await mkdtemp(join(tmpdir(), 'seam-topology-'));
  const topology = await onLoopback(options.topology, options.placement ?? {});
  const topologyPath = join(folder, 'topology.json');
  await writeFile(topologyPath, JSON.stringify(topology, null, 2));
  const gatewayPort = Number(new URL(topology.gateway!.url).port);
  // A service's own database (serviceEnv) lets planSplit accept its replicas.
  const databases: Record<string, string> = {};
  for (const [service, env] of Object.entries(options.serviceEnv ?? {})) {
    if (env.DATABASE_URL) databases[serviceDatabaseVariable(service)] = env.DATABASE_URL;
  }
  const plan = planSplit({
    topology,
    topologyPath,
    env: { ...options.env, ...databases },
    gatewayPort,
    hosts: Object.values(options.placement ?? {}).map((placement) => placement.host),
  });
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;

  const serviceOf = (planned: PlannedProcess) => planned.env.SEAM_SERVICE ?? 'gateway';
  const start = (planned: PlannedProcess) =>
    startProcess({
      name: planned.name,
      entry: planned.entry,
      port: Number(new URL(planned.url).port),
      host: new URL(planned.url).hostname,
      command: options.placement?.[serviceOf(planned)]?.command,
      readyTimeoutMs,
      env: {
        ...planned.env,
        ...(planned.name === 'gateway'
          ? options.gatewayEnv
          : options.serviceEnv?.[serviceOf(planned)]),
      },
    });

  const running = new Map<string, RunningProcess>();
  const retired: RunningProcess[] = [];
  const stopAll = async () => {
    const gateway = running.get('gateway');
    if (gateway) await gateway.stop();
    await Promise.all([...running.values()].map((p) => p.stop()));
  };
  try {
    const services = plan.filter((p) => p.name !== 'gateway');
    const started = await Promise.allSettled(services.map(start));
    started.forEach((result, i) => {
      if (result.status === 'fulfilled') running.set(services[i]!.name, result.value);
    });
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    running.set('gateway', await start(plan.at(-1)!));
  } catch (error) {
    await stopAll();
    await rm(folder, { recursive: true, force: true });
    throw error;
  }

  const plannedOf = (service: string) => {
    const planned = plan.filter((p) => p.name !== 'gateway' && serviceOf(p) === service);
    if (planned.length === 0) throw new Error(`No service "${service}" in this topology`);
    return planned;
  };
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${gatewayPort}`,
    topology,
    topologyPath,
    gateway: running.get('gateway')!,
    replicas: (service) => plannedOf(service).map((p) => running.get(p.name)!),
    async kill(service) {
      await Promise.all(plannedOf(service).map((p) => running.get(p.name)!.kill()));
    },
    async restart(service, replica) {
      const all = plannedOf(service);
      if (replica !== undefined && !all[replica]) {
        throw new Error(`Service "${service}" has no replica ${replica}`);
      }
      for (const planned of replica === undefined ? all : [all[replica]!]) {
        const old = running.get(planned.name)!;
        await old.stop();
        retired.push(old);
        running.set(planned.name, await start(planned));
      }
    },
    logs() {
      return [...retired, ...running.values()]
        .map((p) =>
          p
            .logs()
            .trimEnd()
            .split('\n')
            .map((line) => `[${p.name}] ${line}`)
            .join('\n'),
        )
        .join('\n');
    },
    stop() {
      stopped ??= stopAll().finally(() => rm(folder, { recursive: true, force: true }));
      return stopped;
    },
  };
}

/**
 * onLoopback gives every replica and the gateway a free port on 127.0.0.1, or at
 * the host of the service's placement.
 */
async function onLoopback(
  topology: Topology,
  placement: Record<string, ServicePlacement>,
): Promise<Topology> {
  const taken = new Set<number>();
  const next = async () => {
    // The kernel may hand a just-released port out again; every process needs its own.
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
    throw new Error('Could not find enough free loopback ports');
  };
  const services: Topology['services'] = {};
  for (const [name, service] of Object.entries(topology.services)) {
    const replicas: string[] = [];
    const host = placement[name]?.host ?? '127.0.0.1';
    for (let i = 0; i < service.replicas.length; i++) {
      replicas.push(`http://${host}:${await next()}`);
    }
    services[name] = { modules: [...service.modules], replicas };
  }
  for (const name of Object.keys(placement)) {
    if (!services[name]) throw new Error(`placement names "${name}", which is not a service`);
  }
  return {
    ...(topology.events ? { events: topology.events } : {}),
    gateway: { url: `http://127.0.0.1:${await next()}` },
    services,
  };
}
