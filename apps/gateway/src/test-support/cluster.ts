// Real servers on loopback for the gateway's tests: service replicas (hosts of
// the fixture modules, each on its own fresh database) and a gateway in front.
import { parseTopology, type HostOptions, type Topology } from '@seam/platform';
import { eventually, fixtures, startTestHost } from '@seam/platform/testing';
import { createGateway, type Gateway } from '../gateway.js';
import { pingsModule } from './pings-module.js';

export interface RunningReplica {
  url: string;
  port: number;
  /** stop closes the server and its database, as a process that exits would. */
  stop(): Promise<void>;
}

/**
 * startReplica hosts `modules` on 127.0.0.1, on `port` (a free one when 0), so a
 * stopped replica can come back at the same address.
 */
export async function startReplica(
  options: Pick<HostOptions, 'modules' | 'jwks'> & {
    env?: Record<string, string>;
    port?: number;
  },
): Promise<RunningReplica> {
  const test = await startTestHost({
    modules: options.modules,
    jwks: options.jwks,
    env: options.env,
  });
  try {
    const { port, url } = await test.host.listen(options.port ?? 0);
    let stopping: Promise<void> | undefined;
    return { url, port, stop: () => (stopping ??= test.close()) };
  } catch (error) {
    await test.close();
    throw error;
  }
}

/** startGateway runs a gateway for `topology` on a free loopback port, probing fast. */
export async function startGateway(
  topology: Topology,
  env: Record<string, string> = {},
): Promise<{ gateway: Gateway; url: string }> {
  const gateway = await createGateway({
    topology,
    env: {
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      SEAM_GATEWAY_EJECT_MS: '200',
      SEAM_GATEWAY_PROBE_MS: '50',
      SEAM_SHUTDOWN_TIMEOUT_MS: '1000',
      ...env,
    },
  });
  const { url } = await gateway.listen(0);
  return { gateway, url };
}

/** waitFor is the platform's eventually for checks that answer undefined while not yet true. */
export function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  return eventually(async () => {
    const value = await check();
    if (value === undefined) throw new Error(`Still waiting for ${what}`);
    return value;
  }, timeoutMs);
}

/** readyGateway waits until every service of the gateway has a ready replica. */
export function readyGateway(url: string): Promise<true> {
  return waitFor('the gateway to be ready', async () => {
    const response = await fetch(`${url}/health/ready`);
    await response.arrayBuffer();
    return response.status === 200 ? true : undefined;
  });
}

export interface FixtureCluster {
  notes: RunningReplica;
  pingsA: RunningReplica;
  pingsB: RunningReplica;
  gateway: Gateway;
  url: string;
}

/**
 * startFixtureCluster runs the notes fixture on one replica and pings on two
 * (answering 'a' and 'b'), and a gateway in front, and waits until it is ready.
 */
export async function startFixtureCluster(
  options: {
    notes?: Pick<HostOptions, 'jwks'> & { env?: Record<string, string> };
    gatewayEnv?: Record<string, string>;
  } = {},
): Promise<FixtureCluster> {
  const [notes, pingsA, pingsB] = await Promise.all([
    startReplica({ modules: [fixtures.notesModule], ...options.notes }),
    startReplica({ modules: [pingsModule], env: { FIXTURE_REPLICA: 'a' } }),
    startReplica({ modules: [pingsModule], env: { FIXTURE_REPLICA: 'b' } }),
  ]);
  let gateway: Gateway | undefined;
  try {
    const topology = parseTopology({
      services: {
        notes: { modules: ['notes'], replicas: [notes.url] },
        pings: { modules: ['pings'], replicas: [pingsA.url, pingsB.url] },
      },
    });
    const started = await startGateway(topology, options.gatewayEnv);
    gateway = started.gateway;
    await readyGateway(started.url);
    return { notes, pingsA, pingsB, gateway, url: started.url };
  } catch (error) {
    await gateway?.close();
    await Promise.all([notes.stop(), pingsA.stop(), pingsB.stop()]);
    throw error;
  }
}
