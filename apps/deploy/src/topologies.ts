// Container topologies: the shipped `topology/<name>.json` files, rewritten for
// containers. Services and modules stay as they are; each service's replicas
// become its DNS name (`http://catalog:3000`), which Compose's and Kubernetes'
// service discovery spread over however many processes run it, and the number
// of replica URLs in the source becomes the number of processes to run.
import { loadTopology, type Topology } from '@seam/platform';
import { join } from 'node:path';

/** SHIPPED_TOPOLOGIES are the topologies deployment files are generated for. */
export const SHIPPED_TOPOLOGIES = ['monolith', 'split', 'grouped'] as const;
export type TopologyName = (typeof SHIPPED_TOPOLOGIES)[number];

/** CONTAINER_PORT is where every container listens: the image's PORT. */
export const CONTAINER_PORT = 3000;
/** GATEWAY_NAME names the gateway's Compose service and Kubernetes Deployment/Service. */
export const GATEWAY_NAME = 'gateway';
/** POSTGRES_NAME names the Postgres service of the Compose Postgres variant. */
export const POSTGRES_NAME = 'postgres';
/** IMAGE_ROOT is the image's WORKDIR, where the repository is copied. */
export const IMAGE_ROOT = '/app';
/** TOPOLOGY_DIR is where container topologies are written, relative to the repository. */
export const TOPOLOGY_DIR = 'docker/topology';

const RESERVED = [GATEWAY_NAME, POSTGRES_NAME];

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
      services,
    },
    replicas,
  };
}

/** serviceUrl is where a service answers inside a Compose network or Kubernetes namespace. */
export function serviceUrl(service: string): string {
  return `http://${service}:${CONTAINER_PORT}`;
}

/** imagePath is where a repository file lives inside the image. */
export function imagePath(file: string): string {
  return `${IMAGE_ROOT}/${file}`;
}
