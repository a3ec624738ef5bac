// Compose files for a container topology: the gateway (the only published
// port) and one Compose service per topology service, each with its own
// database. Two variants: PGlite in a named volume per service (one process per
// service), or one Postgres server with a database per service (scalable).
// Both carry the `observability` profile (Prometheus and Grafana, observability.ts).
// A topology whose events go through NATS also runs a NATS server with JetStream,
// its stream files in a named volume, which every service waits for.
import { LAUNCHER, SERVER_NODE_FLAGS } from '@seam/platform/processes';
import { addObservability } from './observability.js';
import {
  CONTAINER_PORT,
  GATEWAY_NAME,
  imagePath,
  NATS_CLIENT_PORT,
  NATS_NAME,
  POSTGRES_NAME,
  usesNats,
  type ContainerTopology,
} from './topologies.js';

export type ComposeVariant = 'pglite' | 'postgres';
export const COMPOSE_VARIANTS: readonly ComposeVariant[] = ['pglite', 'postgres'];

/** IMAGE is the Seam image, overridable for a registry build. */
export const IMAGE = '${SEAM_IMAGE:-seam:latest}';
/** POSTGRES_IMAGE is the Postgres of the Postgres variant. */
export const POSTGRES_IMAGE = 'postgres:17.6-bookworm';
/** NATS_IMAGE is the NATS server of a topology whose events go through NATS (alpine: it has wget). */
export const NATS_IMAGE = 'nats:2.10.29-alpine';
/** NATS_MONITOR_PORT serves NATS's HTTP monitoring, where its health is probed. */
export const NATS_MONITOR_PORT = 8222;
/** NATS_HEALTH_PATH answers 200 only once JetStream is enabled. */
export const NATS_HEALTH_PATH = '/healthz?js-enabled-only=true';
/** NATS_DATA_DIR holds JetStream's stream files, a named volume (Compose) or claim (Kubernetes). */
export const NATS_DATA_DIR = '/data';
/** NATS_ARGS follow the image's entrypoint: JetStream on, stored in NATS_DATA_DIR, monitoring on. */
export const NATS_ARGS = ['-js', '-sd', NATS_DATA_DIR, '-m', String(NATS_MONITOR_PORT)];
/** The image's programs run from the bundles its build made (docker/Dockerfile). */
export const SERVER_COMMAND = ['node', ...SERVER_NODE_FLAGS, LAUNCHER, 'server'];
export const GATEWAY_COMMAND = ['node', ...SERVER_NODE_FLAGS, LAUNCHER, 'gateway'];
/**
 * TRUSTED_PROXIES is every server's SEAM_TRUST_PROXY: the private ranges the gateway
 * (and an ingress) reach it from, so its rate limits key on the client the gateway
 * saw (X-Forwarded-For), not on the gateway. Only the gateway is published.
 */
export const TRUSTED_PROXIES = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16';
/** DATA_DIR is the image's SEAM_DATA_DIR, a volume per service in the PGlite variant. */
export const DATA_DIR = '/data';

const TOKEN = '${SEAM_SERVICE_TOKEN:?set SEAM_SERVICE_TOKEN (32+ characters) in .env}';
const POSTGRES_PASSWORD = '${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD (URL-safe) in .env}';
/** Variables of the users module, passed to the service hosting it when set. */
const USERS_VARIABLES = ['SEAM_ADMIN_EMAIL', 'SEAM_ADMIN_PASSWORD', 'SEAM_JWT_PRIVATE_KEY'];

type Yaml = Record<string, unknown>;

/** composeFile builds the Compose document of one topology and variant. */
export function composeFile(container: ContainerTopology, variant: ComposeVariant): Yaml {
  const { topology, replicas } = container;
  const services: Yaml = {};
  const volumes: Yaml = {};
  const names = Object.keys(topology.services);

  services[GATEWAY_NAME] = {
    image: IMAGE,
    command: GATEWAY_COMMAND,
    environment: {
      SEAM_TOPOLOGY: imagePath(container.file),
      LOG_LEVEL: '${LOG_LEVEL:-info}',
    },
    ports: [`\${SEAM_GATEWAY_PORT:-3000}:${CONTAINER_PORT}`],
    healthcheck: healthcheck(),
    depends_on: dependsOnHealthy(names),
    restart: 'unless-stopped',
    stop_grace_period: '15s',
  };

  const backing = [
    ...(variant === 'postgres' ? [POSTGRES_NAME] : []),
    ...(usesNats(container) ? [NATS_NAME] : []),
  ];
  for (const [name, service] of Object.entries(topology.services)) {
    const count = replicas[name] ?? 1;
    if (variant === 'pglite' && count > 1) {
      throw new Error(
        `${container.source}: service "${name}" has ${count} replicas, but a PGlite folder can be opened by one process only; use the Postgres variant`,
      );
    }
    const environment: Yaml = {
      SEAM_SERVICE: name,
      SEAM_TOPOLOGY: imagePath(container.file),
      SEAM_SERVICE_TOKEN: TOKEN,
      SEAM_TRUST_PROXY: TRUSTED_PROXIES,
      LOG_LEVEL: '${LOG_LEVEL:-info}',
    };
    if (service.modules.includes('users')) {
      for (const variable of USERS_VARIABLES) environment[variable] = `\${${variable}:-}`;
    }
    const definition: Yaml = {
      image: IMAGE,
      command: SERVER_COMMAND,
      environment,
      expose: [String(CONTAINER_PORT)],
      healthcheck: healthcheck(),
      restart: 'unless-stopped',
      stop_grace_period: '15s',
      deploy: { replicas: count },
      ...(backing.length > 0 ? { depends_on: dependsOnHealthy(backing) } : {}),
    };
    if (variant === 'pglite') {
      environment.SEAM_DATA_DIR = DATA_DIR;
      volumes[`${name}-data`] = {};
      definition.volumes = [`${name}-data:${DATA_DIR}`];
    } else {
      environment.DATABASE_URL = `postgres://seam:${POSTGRES_PASSWORD}@${POSTGRES_NAME}:5432/${databaseName(name)}`;
    }
    services[name] = definition;
  }

  const document: Yaml = { name: `seam-${container.name}`, services };
  if (variant === 'postgres') {
    services[POSTGRES_NAME] = {
      image: POSTGRES_IMAGE,
      environment: { POSTGRES_USER: 'seam', POSTGRES_PASSWORD, POSTGRES_DB: 'seam' },
      volumes: ['postgres-data:/var/lib/postgresql/data'],
      configs: [{ source: 'postgres-init', target: '/docker-entrypoint-initdb.d/seam.sql' }],
      healthcheck: {
        test: ['CMD', 'pg_isready', '-U', 'seam', '-d', 'seam'],
        interval: '5s',
        timeout: '3s',
        retries: 12,
      },
      restart: 'unless-stopped',
    };
    volumes['postgres-data'] = {};
    document.configs = {
      'postgres-init': {
        content: names.map((name) => `CREATE DATABASE ${databaseName(name)};\n`).join(''),
      },
    };
  }
  if (usesNats(container)) {
    services[NATS_NAME] = {
      image: NATS_IMAGE,
      command: NATS_ARGS,
      volumes: [`nats-data:${NATS_DATA_DIR}`],
      expose: [String(NATS_CLIENT_PORT), String(NATS_MONITOR_PORT)],
      healthcheck: {
        test: [
          'CMD',
          'wget',
          '-q',
          '-O-',
          `http://127.0.0.1:${NATS_MONITOR_PORT}${NATS_HEALTH_PATH}`,
        ],
        interval: '5s',
        timeout: '3s',
        retries: 12,
      },
      restart: 'unless-stopped',
    };
    volumes['nats-data'] = {};
  }
  document.volumes = volumes;
  addObservability(document, container);
  return document;
}

/** databaseName is a service's own Postgres database in the Postgres variant. */
export function databaseName(service: string): string {
  return `seam_${service.replaceAll('-', '_')}`;
}

/** composePath is where a topology's Compose file is written. */
export function composePath(topology: string, variant: ComposeVariant): string {
  return `docker/compose/${topology}${variant === 'postgres' ? '.postgres' : ''}.yaml`;
}

/** dependsOnHealthy makes a Compose service wait until each of `names` passes its healthcheck. */
function dependsOnHealthy(names: string[]): Yaml {
  return Object.fromEntries(names.map((name) => [name, { condition: 'service_healthy' }]));
}

function healthcheck(): Yaml {
  // The image has no curl; Node's fetch does the same job.
  return {
    test: [
      'CMD',
      'node',
      '-e',
      `fetch('http://127.0.0.1:${CONTAINER_PORT}/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
    ],
    interval: '10s',
    timeout: '3s',
    retries: 3,
    start_period: '60s',
  };
}
