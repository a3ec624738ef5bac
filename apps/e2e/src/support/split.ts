// The split topology (topology/split.json) as the fault suites run it: every
// service a real process with a database of its own (PGlite, or Postgres when
// DATABASE_URL is set), the gateway in front, the admin of ADMIN_ENV and the
// demo catalog; each suite adds the settings it needs.
import { join } from 'node:path';
import { loadTopology, type Topology } from '@seam/platform';
import {
  REPO_ROOT,
  startTopology,
  type ServicePlacement,
  type TopologyRun,
} from '@seam/platform/processes';
import { createTopologyDatabases, type TestNats } from '@seam/platform/testing';
import { ADMIN_ENV } from './journey.js';

export interface SplitRun {
  run: TopologyRun;
  /** stop ends the processes, then drops their databases. */
  stop(): Promise<void>;
}

export interface SplitOptions {
  /** topology replaces topology/split.json (e.g. onNats(split-nats.json)). */
  topology?: Topology;
  /** placement starts services elsewhere than on loopback (a network namespace). */
  placement?: Record<string, ServicePlacement>;
  /** serviceEnv rewrites a service's own variables (its database's URL, say) before it starts. */
  serviceEnv?: (
    service: string,
    env: Record<string, string>,
  ) => Record<string, string> | Promise<Record<string, string>>;
}

/** startSplit starts topology/split.json with `env` for every process and `gatewayEnv` for the gateway. */
export async function startSplit(
  env: Record<string, string>,
  gatewayEnv: Record<string, string> = {},
  options: SplitOptions = {},
): Promise<SplitRun> {
  const topology = options.topology ?? (await loadShipped('split'));
  const databases = await createTopologyDatabases(topology);
  try {
    const serviceEnv: Record<string, Record<string, string>> = {};
    for (const [service, own] of Object.entries(databases.serviceEnv)) {
      serviceEnv[service] = options.serviceEnv ? await options.serviceEnv(service, own) : own;
    }
    const run = await startTopology({
      topology,
      serviceEnv,
      placement: options.placement,
      env: { ...ADMIN_ENV, SEAM_DEMO_DATA: 'true', ...env },
      gatewayEnv,
    });
    return {
      run,
      async stop() {
        await run.stop();
        await databases.dispose();
      },
    };
  } catch (error) {
    await databases.dispose();
    throw error;
  }
}

/** loadShipped reads topology/<name>.json. */
export function loadShipped(name: string): Promise<Topology> {
  return loadTopology(join(REPO_ROOT, 'topology', `${name}.json`));
}

/**
 * onNats points a topology's NATS transport at the test's NATS (NATS_URL) and
 * prefix, so runs sharing one NATS server never see each other's events.
 */
export function onNats(topology: Topology, nats: TestNats): Topology {
  return { ...topology, events: { transport: 'nats', servers: nats.servers, prefix: nats.prefix } };
}
