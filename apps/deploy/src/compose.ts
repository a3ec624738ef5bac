// Compose files for a container topology: the gateway (the only published
// port) and one Compose service per topology service, each with its own
// database. Two variants: PGlite in a named volume per service (one process per
// service), or one Postgres server with a database per service (scalable).
import {
  CONTAINER_PORT,
  GATEWAY_NAME,
  imagePath,
  POSTGRES_NAME,
  type ContainerTopology,
} from './topologies.js';

export type ComposeVariant = 'pglite' | 'postgres';
export const COMPOSE_VARIANTS: readonly ComposeVariant[] = ['pglite', 'postgres'];

/** IMAGE is the Seam image, overridable for a registry build. */
export const IMAGE = '${SEAM_IMAGE:-seam:latest}';
/** POSTGRES_IMAGE is the Postgres of the Postgres variant. */
export const POSTGRES_IMAGE = 'postgres:17.6-bookworm';
export const SERVER_COMMAND = ['node', '--import', 'tsx', 'apps/server/src/main.ts'];
export const GATEWAY_COMMAND = ['node', '--import', 'tsx', 'apps/gateway/src/main.ts'];
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
    depends_on: Object.fromEntries(names.map((name) => [name, { condition: 'service_healthy' }])),
    restart: 'unless-stopped',
    stop_grace_period: '15s',
  };

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
    };
    if (variant === 'pglite') {
      environment.SEAM_DATA_DIR = DATA_DIR;
      volumes[`${name}-data`] = {};
      definition.volumes = [`${name}-data:${DATA_DIR}`];
    } else {
      environment.DATABASE_URL = `postgres://seam:${POSTGRES_PASSWORD}@${POSTGRES_NAME}:5432/${databaseName(name)}`;
      definition.depends_on = { [POSTGRES_NAME]: { condition: 'service_healthy' } };
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
  document.volumes = volumes;
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
