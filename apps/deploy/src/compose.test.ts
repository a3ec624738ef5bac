import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '@seam/platform/processes';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextFilter } from './build-context.js';
import { composeMismatches, type CheckContext } from './checks.js';
import { COMPOSE_VARIANTS, composePath } from './compose.js';
import { composeProblems } from './schemas.js';
import { loadContainerTopology, SHIPPED_TOPOLOGIES, type ContainerTopology } from './topologies.js';

const CASES = SHIPPED_TOPOLOGIES.flatMap((name) =>
  COMPOSE_VARIANTS.map((variant) => ({ name, variant, file: composePath(name, variant) })),
);

let context: CheckContext;
beforeAll(async () => {
  context = { root: REPO_ROOT, inImage: await contextFilter(REPO_ROOT) };
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function load(file: string): Promise<any> {
  return parse(await readFile(join(REPO_ROOT, file), 'utf8'));
}

describe.each(CASES)('$file', ({ name, variant, file }) => {
  let container: ContainerTopology;
  beforeAll(async () => {
    container = await loadContainerTopology(REPO_ROOT, name);
  });

  it('is valid against the Compose Specification schema', async () => {
    expect(composeProblems(await load(file))).toEqual([]);
  });

  it('runs every service of the topology behind the gateway, each with its own database', async () => {
    expect(composeMismatches(await load(file), container, variant, context)).toEqual([]);
  });
});

describe('Compose validation', () => {
  let container: ContainerTopology;
  beforeAll(async () => {
    container = await loadContainerTopology(REPO_ROOT, 'split');
  });

  it('rejects a misspelt key and an unknown depends_on condition', async () => {
    const compose = await load('docker/compose/split.yaml');
    compose.services.catalog.helthcheck = compose.services.catalog.healthcheck;
    compose.services.gateway.depends_on.catalog.condition = 'service_up';

    expect(composeProblems(compose)).toEqual(
      expect.arrayContaining([
        { path: '/services/catalog', message: 'must NOT have additional properties "helthcheck"' },
        {
          path: '/services/gateway/depends_on/catalog/condition',
          message: 'must be equal to one of the allowed values',
        },
      ]),
    );
  });

  it('reports a published service port, a missing service and a wrong SEAM_SERVICE', async () => {
    const compose = await load('docker/compose/split.yaml');
    compose.services.catalog.ports = ['3102:3000'];
    compose.services.cart.environment.SEAM_SERVICE = 'catalog';
    delete compose.services.orders;

    expect(composeMismatches(compose, container, 'pglite', context)).toEqual([
      'catalog publishes ports; only the gateway may',
      'cart: SEAM_SERVICE is not "cart"',
      'service "orders" is missing',
    ]);
  });

  it('reports a hard-coded token, a shared volume and a gateway that does not wait', async () => {
    const compose = await load('docker/compose/split.yaml');
    compose.services.users.environment.SEAM_SERVICE_TOKEN = 'a'.repeat(40);
    compose.services.cart.volumes = ['catalog-data:/data'];
    compose.services.gateway.depends_on.payments.condition = 'service_started';

    expect(composeMismatches(compose, container, 'pglite', context)).toEqual([
      'users: SEAM_SERVICE_TOKEN must come from the environment, required',
      'cart: shares volume catalog-data with catalog',
      'gateway does not wait for payments to be healthy',
    ]);
  });

  it('reports two services on one Postgres database', async () => {
    const compose = await load('docker/compose/split.postgres.yaml');
    compose.services.cart.environment.DATABASE_URL =
      compose.services.catalog.environment.DATABASE_URL;

    expect(composeMismatches(compose, container, 'postgres', context)).toEqual([
      'cart: DATABASE_URL does not name its own database',
    ]);
  });

  it('reports a topology file the image does not contain', async () => {
    const compose = await load('docker/compose/split.yaml');
    const withoutTopology: CheckContext = {
      root: REPO_ROOT,
      inImage: (path) => !path.startsWith('docker/topology/'),
    };

    expect(composeMismatches(compose, container, 'pglite', withoutTopology)).toEqual([
      'docker/topology/split.json is left out of the image by .dockerignore',
    ]);
  });
});

describe('NATS in Compose', () => {
  let split: ContainerTopology;
  let splitNats: ContainerTopology;
  beforeAll(async () => {
    split = await loadContainerTopology(REPO_ROOT, 'split');
    splitNats = await loadContainerTopology(REPO_ROOT, 'split-nats');
  });

  it.each(COMPOSE_VARIANTS)(
    'runs a pinned NATS with JetStream on its own volume, which every service waits for (split-nats, %s)',
    async (variant) => {
      const compose = await load(composePath('split-nats', variant));
      const nats = compose.services.nats;

      expect(nats.image).toMatch(/^nats:\d+\.\d+\.\d+-alpine$/);
      expect(nats.command).toEqual(['-js', '-sd', '/data', '-m', '8222']);
      expect(nats.volumes).toEqual(['nats-data:/data']);
      expect(compose.volumes).toHaveProperty('nats-data');
      expect(nats.healthcheck.test).toEqual([
        'CMD',
        'wget',
        '-q',
        '-O-',
        'http://127.0.0.1:8222/healthz?js-enabled-only=true',
      ]);
      expect(nats.ports).toBeUndefined();
      for (const service of Object.keys(splitNats.topology.services)) {
        expect(compose.services[service].depends_on.nats).toEqual({ condition: 'service_healthy' });
      }
    },
  );

  it.each(COMPOSE_VARIANTS)(
    'has no NATS service, volume or dependency when events go over HTTP (split, %s)',
    async (variant) => {
      const compose = await load(composePath('split', variant));

      expect(compose.services.nats).toBeUndefined();
      expect(compose.volumes['nats-data']).toBeUndefined();
      for (const service of Object.keys(split.topology.services)) {
        expect(compose.services[service].depends_on?.nats).toBeUndefined();
      }
    },
  );

  it('reports a NATS service dropped by hand', async () => {
    const compose = await load('docker/compose/split-nats.yaml');
    delete compose.services.nats;

    expect(composeMismatches(compose, splitNats, 'pglite', context)).toEqual([
      "no nats service; the topology's events go through NATS",
    ]);
  });

  it('reports a NATS without its volume, JetStream or healthcheck, and a service that does not wait', async () => {
    const compose = await load('docker/compose/split-nats.postgres.yaml');
    compose.services.nats.image = 'nats:latest';
    compose.services.nats.command = ['-m', '8222'];
    delete compose.volumes['nats-data'];
    compose.services.nats.healthcheck.test = ['CMD', 'true'];
    delete compose.services.cart.depends_on.nats;

    expect(composeMismatches(compose, splitNats, 'postgres', context)).toEqual([
      'nats: image nats:latest is not a NATS release pinned by version',
      'nats: command is not -js -sd /data -m 8222 (JetStream stored in /data)',
      "nats: no named volume at /data (JetStream's store)",
      'nats: healthcheck does not probe /healthz?js-enabled-only=true on 8222',
      'cart does not wait for NATS to be healthy',
    ]);
  });

  it('reports a NATS service in a topology whose events go over HTTP', async () => {
    const compose = await load('docker/compose/split.yaml');
    compose.services.nats = (await load('docker/compose/split-nats.yaml')).services.nats;

    expect(composeMismatches(compose, split, 'pglite', context)).toEqual([
      'services not in the topology: nats',
    ]);
  });
});
