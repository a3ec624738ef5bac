// Container topologies: the shipped `topology/<name>.json` files, rewritten for
// containers. Services and modules stay as they are; each service's replicas
// become its DNS name (`http://catalog:3000`), which Compose's and Kubernetes'
// service discovery spread over however many processes run it, and the number
// of replica URLs in the source becomes the number of processes to run. An
// `events` section naming NATS points at the deployment's own server,
// `nats://nats:4222`, whatever servers the source lists.
import { loadTopology, type Topology, type TopologyEvents } from '@seam/platform';
import { join } from 'node:path';

/** SHIPPED_TOPOLOGIES are the topologies deployment files are generated for. */
export const SHIPPED_TOPOLOGIES = ['monolith', 'split', 'grouped', 'split-nats'] as const;
export type TopologyName = (typeof SHIPPED_TOPOLOGIES)[number];

/** CONTAINER_PORT is where every container listens: the image's PORT. */
export const CONTAINER_PORT = 3000;
/** GATEWAY_NAME names the gateway's Compose service and Kubernetes Deployment/Service. */
export const GATEWAY_NAME = 'gateway';
/** POSTGRES_NAME names the Postgres service of the Compose Postgres variant. */
export const POSTGRES_NAME = 'postgres';
/** NATS_NAME names the NATS server of a topology whose events go through NATS. */
export const NATS_NAME = 'nats';
/** NATS_CLIENT_PORT is where NATS clients connect. */
export const NATS_CLIENT_PORT = 4222;
/** NATS_URL is where the NATS server answers inside a Compose network or Kubernetes namespace. */
export const NATS_URL = `nats://${NATS_NAME}:${NATS_CLIENT_PORT}`;
/** IMAGE_ROOT is the image's WORKDIR, where the repository is copied. */
export const IMAGE_ROOT = '/app';
/** TOPOLOGY_DIR is where container topologies are written, relative to the repository. */
export const TOPOLOGY_DIR = 'docker/topology';

const RESERVED = [GATEWAY_NAME, POSTGRES_NAME, NATS_NAME];

/** ContainerTopology is one topology as the deployment files need it. */
export interface ContainerTopology {
  name: TopologyName;
  /** source is the repository path of the topology it was derived from. */
  source: string;
  /** file is the repository path of the container topology (also its path under IMAGE_ROOT). */
  file: string;
  topology: Topology;
  /** replicas gives the number of processes of each service. */
  replicas: Record<string, number>;
}

/**
 * loadContainerTopology reads `topology/<name>.json` and derives its container
 * form; it refuses service names the deployment files use themselves.
 *
 * @example
 * const { topology } = await loadContainerTopology(REPO_ROOT, 'split');
 * topology.services.catalog.replicas; // ['http://catalog:3000']
 */
export async function loadContainerTopology(
  root: string,
  name: TopologyName,
): Promise<ContainerTopology> {
  const source = `topology/${name}.json`;
  const loaded = await loadTopology(join(root, source));
  const services: Topology['services'] = {};
  const replicas: Record<string, number> = {};
  for (const [service, definition] of Object.entries(loaded.services)) {
    if (RESERVED.includes(service)) {
      throw new Error(
        `${source}: service "${service}" clashes with the deployment's own "${service}"; rename it`,
      );
    }
    services[service] = { modules: definition.modules, replicas: [serviceUrl(service)] };
    replicas[service] = definition.replicas.length;
  }
  return {
    name,
    source,
    file: `${TOPOLOGY_DIR}/${name}.json`,
    topology: {
      $schema: '../../topology/topology.schema.json',
      gateway: { url: serviceUrl(GATEWAY_NAME) },
      ...(loaded.events ? { events: containerEvents(loaded.events) } : {}),
      services,
    },
    replicas,
  };
}

/** usesNats tells whether a container topology's events go through NATS (and so runs a NATS server). */
export function usesNats(container: ContainerTopology): boolean {
  return container.topology.events?.transport === 'nats';
}

/** serviceUrl is where a service answers inside a Compose network or Kubernetes namespace. */
export function serviceUrl(service: string): string {
  return `http://${service}:${CONTAINER_PORT}`;
}

/** imagePath is where a repository file lives inside the image. */
export function imagePath(file: string): string {
  return `${IMAGE_ROOT}/${file}`;
}

function containerEvents(events: TopologyEvents): TopologyEvents {
  switch (events.transport) {
    case 'http':
      return events;
    case 'nats':
      // One server per deployment; a stream's prefix stays what the source chose.
      return { ...events, servers: [NATS_URL] };
    default: {
      const unknown: never = events;
      throw new Error(`unknown event transport ${JSON.stringify(unknown)}`);
    }
  }
}
