import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  loadTopology,
  parseTopology,
  resolveService,
  serviceOf,
  topologyJsonSchema,
  type Topology,
} from './topology.js';

const TOPOLOGY_DIR = fileURLToPath(new URL('../../../topology/', import.meta.url));
const MODULES = ['users', 'catalog', 'inventory', 'cart', 'payments', 'orders', 'notifications'];

function topologyError(document: unknown, known: readonly string[] | undefined = MODULES) {
  try {
    parseTopology(document, known);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid-topology');
    return error as AppError;
  }
  throw new Error('expected parseTopology to throw');
}

/** withServices builds a valid topology of the seven modules, then applies `change`. */
function withServices(change: (services: Record<string, unknown>) => void): unknown {
  const services: Record<string, unknown> = {
    users: { modules: ['users'], replicas: ['http://127.0.0.1:3101'] },
    shop: {
      modules: ['catalog', 'inventory', 'cart', 'payments', 'orders', 'notifications'],
      replicas: ['http://127.0.0.1:3102', 'http://127.0.0.1:3112'],
    },
  };
  change(services);
  return { services };
}

describe('parseTopology', () => {
  it('accepts a valid topology and normalises replica URLs to origins', () => {
    const topology = parseTopology(
      {
        gateway: { url: 'http://127.0.0.1:3000/' },
        services: {
          users: { modules: ['users'], replicas: ['http://127.0.0.1:3101/'] },
          shop: {
            modules: ['catalog', 'inventory', 'cart', 'payments', 'orders', 'notifications'],
            replicas: ['http://Shop-1:80', 'https://shop-2.internal:8443'],
          },
        },
      },
      MODULES,
    );
    expect(topology.gateway).toEqual({ url: 'http://127.0.0.1:3000' });
    expect(topology.services.users!.replicas).toEqual(['http://127.0.0.1:3101']);
    expect(topology.services.shop!.replicas).toEqual([
      'http://shop-1',
      'https://shop-2.internal:8443',
    ]);
  });

  it('names the unknown module with its path and the known modules', () => {
    const error = topologyError(
      withServices((s) => {
        s.users = { modules: ['users', 'catlog'], replicas: ['http://127.0.0.1:3101'] };
      }),
    );
    expect(error.errors).toEqual([
      {
        path: 'services.users.modules.1',
        code: 'unknown-module',
        message: `unknown module "catlog"; known modules are ${MODULES.join(', ')}`,
      },
    ]);
    expect(error.detail).toContain('services.users.modules.1: unknown module "catlog"');
  });

  it('names both services when a module is hosted twice', () => {
    const error = topologyError(
      withServices((s) => {
        s.users = { modules: ['users', 'catalog'], replicas: ['http://127.0.0.1:3101'] };
      }),
    );
    expect(error.errors).toEqual([
      expect.objectContaining({
        path: 'services.shop.modules.0',
        code: 'module-hosted-twice',
        message: expect.stringMatching(/"catalog" is hosted by both "users" and "shop"/),
      }),
    ]);
  });

  it('reports a module listed twice in the same service', () => {
    const error = topologyError(
      withServices((s) => {
        s.users = { modules: ['users', 'users'], replicas: ['http://127.0.0.1:3101'] };
      }),
    );
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'services.users.modules.1', code: 'duplicate-module' }),
    ]);
  });

  it('reports every module hosted nowhere', () => {
    const error = topologyError(
      withServices((s) => {
        s.shop = { modules: ['catalog', 'cart'], replicas: ['http://127.0.0.1:3102'] };
      }),
    );
    expect(error.errors?.map((e) => [e.path, e.code, e.message])).toEqual(
      ['inventory', 'payments', 'orders', 'notifications'].map((m) => [
        'services',
        'module-not-hosted',
        `module "${m}" is hosted by no service; add it to one`,
      ]),
    );
  });

  it.each([
    ['a path', 'http://127.0.0.1:3101/api'],
    ['a query', 'http://127.0.0.1:3101?x=1'],
    ['a fragment', 'http://127.0.0.1:3101#top'],
    ['another scheme', 'ftp://127.0.0.1:3101'],
    ['no scheme', '127.0.0.1:3101'],
    ['credentials', 'http://user:secret@127.0.0.1:3101'],
    ['a bad port', 'http://127.0.0.1:99999'],
    ['an empty string', ''],
  ])('rejects a replica URL with %s', (_, url) => {
    const error = topologyError(
      withServices((s) => {
        s.users = { modules: ['users'], replicas: [url] };
      }),
    );
    expect(error.errors).toEqual([
      {
        path: 'services.users.replicas.0',
        code: expect.any(String),
        message: expect.stringMatching(/must be an http:\/\/ or https:\/\/ base URL/),
      },
    ]);
  });

  it('rejects a replica URL used twice, within a service or across services', () => {
    const error = topologyError(
      withServices((s) => {
        s.users = {
          modules: ['users'],
          replicas: ['http://127.0.0.1:3101', 'http://127.0.0.1:3102/'],
        };
      }),
    );
    expect(error.errors).toEqual([
      {
        path: 'services.shop.replicas.0',
        code: 'duplicate-replica',
        message:
          'http://127.0.0.1:3102 is already used by service "users"; every replica needs its own address',
      },
    ]);
  });

  it('rejects a replica at the gateway address', () => {
    const document = withServices(() => {}) as Record<string, unknown>;
    document.gateway = { url: 'http://127.0.0.1:3101' };
    expect(topologyError(document).errors).toEqual([
      expect.objectContaining({
        path: 'services.users.replicas.0',
        message: expect.stringContaining('already used by the gateway'),
      }),
    ]);
  });

  it('rejects a service without modules or replicas', () => {
    const error = topologyError(
      withServices((s) => {
        s.empty = { modules: [], replicas: [] };
      }),
    );
    expect(error.errors).toEqual([
      expect.objectContaining({
        path: 'services.empty.modules',
        message: 'a service hosts at least one module',
      }),
      expect.objectContaining({
        path: 'services.empty.replicas',
        message: 'a service needs at least one replica URL',
      }),
    ]);
  });

  it.each(['Catalog', 'shop_front', '1shop', 'shop front'])(
    'rejects the service name %j',
    (name) => {
      const error = topologyError(
        withServices((s) => {
          s[name] = s.users;
          delete s.users;
        }),
      );
      expect(error.errors).toContainEqual({
        path: `services.${name}`,
        code: 'invalid_key',
        message: 'service names are lowercase letters, digits and dashes',
      });
    },
  );

  it('rejects unknown fields, so a typo is not silently ignored', () => {
    const error = topologyError(
      withServices((s) => {
        s.users = { modules: ['users'], replica: ['http://127.0.0.1:3101'] };
      }),
    );
    expect(error.errors).toEqual([
      expect.objectContaining({ path: 'services.users.replicas' }),
      { path: 'services.users', code: 'unrecognized_keys', message: 'unknown field "replica"' },
    ]);
  });

  it('accepts an events section: http, or nats with servers and an optional prefix', () => {
    const base = withServices(() => {}) as Record<string, unknown>;
    expect(parseTopology({ ...base, events: { transport: 'http' } }, MODULES).events).toEqual({
      transport: 'http',
    });
    const nats = { transport: 'nats', servers: ['nats://127.0.0.1:4222'], prefix: 'shop_1' };
    expect(parseTopology({ ...base, events: nats }, MODULES).events).toEqual(nats);
    expect(parseTopology(base, MODULES).events).toBeUndefined();
  });

  it('names what is wrong in an events section', () => {
    const base = withServices(() => {}) as Record<string, unknown>;
    const paths = (events: unknown) =>
      topologyError({ ...base, events }).errors?.map((e) => `${e.path}: ${e.message}`);
    expect(paths({ transport: 'nats', servers: [] })).toEqual([
      'events.servers: list at least one NATS server',
    ]);
    expect(paths({ transport: 'nats', servers: ['http://127.0.0.1:4222'] })).toEqual([
      'events.servers.0: must be a nats:// (or tls://) host:port URL, e.g. nats://127.0.0.1:4222',
    ]);
    expect(
      paths({ transport: 'nats', servers: ['nats://127.0.0.1:4222'], prefix: 'Shop' }),
    ).toEqual([
      'events.prefix: lowercase letters, digits and underscores, starting with a letter (≤ 32)',
    ]);
    expect(paths({ transport: 'kafka' })?.[0]).toMatch(/^events\.transport: /);
    expect(paths({ transport: 'http', servers: ['nats://127.0.0.1:4222'] })).toEqual([
      'events: unknown field "servers"',
    ]);
  });

  it('rejects a topology without services', () => {
    expect(topologyError({ services: {} }, []).errors).toEqual([
      expect.objectContaining({
        path: 'services',
        message: 'a topology has at least one service',
      }),
    ]);
    expect(topologyError([], []).errors?.[0]?.path).toBe('(root)');
  });

  it('reports shape and meaning problems together, one field error each', () => {
    const error = topologyError({
      services: {
        users: { modules: ['users', 'catalog'], replicas: ['http://127.0.0.1:3101/api'] },
        Shop: { modules: ['catalog'], replicas: ['http://127.0.0.1:3102'] },
        shop: { modules: ['catalog', 'nope'], replicas: ['http://127.0.0.1:3102'] },
      },
    });
    expect(error.errors?.map((e) => e.path)).toEqual([
      'services.users.replicas.0',
      'services.Shop',
      'services.Shop.modules.0',
      'services.shop.modules.0',
      'services.shop.modules.1',
      'services.shop.replicas.0',
      ...MODULES.filter((m) => !['users', 'catalog'].includes(m)).map(() => 'services'),
    ]);
  });

  it('checks only shape and URLs when the caller knows no module list (the gateway)', () => {
    const topology = parseTopology({
      services: { anything: { modules: ['whatever'], replicas: ['http://127.0.0.1:3101'] } },
    });
    expect(topology.services.anything!.modules).toEqual(['whatever']);
    const twice = {
      services: {
        a: { modules: ['x'], replicas: ['http://a:1'] },
        b: { modules: ['x'], replicas: ['http://b:1'] },
      },
    };
    expect(() => parseTopology(twice)).toThrow('module "x" is hosted by both "a" and "b"');
  });
});

describe('loadTopology', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seam-topology-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['monolith', 'split', 'grouped'])('loads the shipped %s topology', async (name) => {
    const topology = await loadTopology(join(TOPOLOGY_DIR, `${name}.json`), MODULES);
    const hosted = Object.values(topology.services).flatMap((s) => s.modules);
    expect(hosted.sort()).toEqual([...MODULES].sort());
  });

  it('ships split with every module alone on ports 3101-3107', async () => {
    const topology = await loadTopology(join(TOPOLOGY_DIR, 'split.json'), MODULES);
    expect(Object.keys(topology.services).sort()).toEqual([...MODULES].sort());
    for (const [name, service] of Object.entries(topology.services)) {
      expect(service.modules).toEqual([name]);
    }
    const ports = Object.values(topology.services).map((s) => Number(new URL(s.replicas[0]!).port));
    expect(ports.sort()).toEqual([3101, 3102, 3103, 3104, 3105, 3106, 3107]);
  });

  it('names the file and the path of each problem', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({ services: { users: { modules: ['users'], replicas: ['nope'] } } }),
    );
    await expect(loadTopology(file, ['users'])).rejects.toMatchObject({
      code: 'invalid-topology',
      detail: expect.stringContaining(`Invalid topology ${file}: services.users.replicas.0`),
    });
  });

  it('reports a missing file and malformed JSON as invalid topologies', async () => {
    await expect(loadTopology(join(dir, 'missing.json'))).rejects.toMatchObject({
      code: 'invalid-topology',
      detail: `Invalid topology ${join(dir, 'missing.json')}: the file does not exist`,
    });
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "services": ');
    await expect(loadTopology(file)).rejects.toMatchObject({
      code: 'invalid-topology',
      detail: expect.stringContaining(`Invalid topology ${file}: not valid JSON: `),
    });
  });
});

describe('resolveService', () => {
  const topology = parseTopology(
    {
      services: {
        users: { modules: ['users'], replicas: ['http://127.0.0.1:3101'] },
        catalog: {
          modules: ['catalog', 'inventory'],
          replicas: ['http://127.0.0.1:3102', 'http://127.0.0.1:3112'],
        },
      },
    },
    ['users', 'catalog', 'inventory'],
  ) satisfies Topology;

  it('gives the hosted modules and the replicas of every other module', () => {
    expect(resolveService(topology, 'users')).toEqual({
      hosted: ['users'],
      remotes: {
        catalog: ['http://127.0.0.1:3102', 'http://127.0.0.1:3112'],
        inventory: ['http://127.0.0.1:3102', 'http://127.0.0.1:3112'],
      },
    });
    expect(resolveService(topology, 'catalog')).toEqual({
      hosted: ['catalog', 'inventory'],
      remotes: { users: ['http://127.0.0.1:3101'] },
    });
  });

  it('lists the known services when asked for an unknown one', () => {
    expect(() => resolveService(topology, 'orders')).toThrow(
      'service "orders" is not in the topology; its services are users, catalog',
    );
  });

  it('finds the service hosting a module', () => {
    expect(serviceOf(topology, 'inventory')).toBe('catalog');
    expect(serviceOf(topology, 'orders')).toBeUndefined();
  });
});

describe('topology.schema.json', () => {
  it('is the JSON Schema generated from TopologySchema (regenerate: vitest run -u)', async () => {
    const file = join(TOPOLOGY_DIR, 'topology.schema.json');
    const generated = await format(JSON.stringify(topologyJsonSchema()), {
      ...(await resolveConfig(file)),
      filepath: file,
    });
    await expect(generated).toMatchFileSnapshot(file);
  });
});
