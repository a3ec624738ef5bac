import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTopology } from '@seam/platform';
import { REPO_ROOT } from '@seam/platform/processes';
import { afterAll, describe, expect, it } from 'vitest';
import { loadContainerTopology, SHIPPED_TOPOLOGIES } from './topologies.js';
import { KNOWN_MODULES, scratchRepository } from './test-support.js';

describe.each(SHIPPED_TOPOLOGIES)('the %s container topology', (name) => {
  it('passes loadTopology with the modules of this build', async () => {
    const topology = await loadTopology(
      join(REPO_ROOT, `docker/topology/${name}.json`),
      KNOWN_MODULES,
    );
    const hosted = Object.values(topology.services).flatMap((service) => service.modules);
    expect(hosted.sort()).toEqual([...KNOWN_MODULES].sort());
  });

  it('keeps the services and modules of topology/<name>.json, reached by DNS name', async () => {
    const source = await loadTopology(join(REPO_ROOT, `topology/${name}.json`), KNOWN_MODULES);
    const container = await loadContainerTopology(REPO_ROOT, name);
    expect(Object.keys(container.topology.services)).toEqual(Object.keys(source.services));
    for (const [service, definition] of Object.entries(source.services)) {
      expect(container.topology.services[service]).toEqual({
        modules: definition.modules,
        replicas: [`http://${service}:3000`],
      });
      expect(container.replicas[service]).toBe(definition.replicas.length);
    }
    expect(container.topology.gateway).toEqual({ url: 'http://gateway:3000' });
    expect(container.topology.events).toEqual(
      source.events?.transport === 'nats'
        ? { ...source.events, servers: ['nats://nats:4222'] }
        : source.events,
    );
  });
});

describe('loadContainerTopology', () => {
  const scratch: string[] = [];
  afterAll(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['gateway', 'split', 'users'],
    ['nats', 'split-nats', 'notifications'],
  ])(
    'refuses a service named %s, the DNS name of the deployment’s own server',
    async (reserved, name, renamed) => {
      const root = await scratchRepository();
      scratch.push(root);
      const path = join(root, `topology/${name}.json`);
      const topology = JSON.parse(await readFile(path, 'utf8'));
      topology.services[reserved] = topology.services[renamed];
      delete topology.services[renamed];
      await writeFile(path, JSON.stringify(topology));

      await expect(loadContainerTopology(root, name as 'split')).rejects.toThrow(
        `topology/${name}.json: service "${reserved}" clashes with the deployment's own "${reserved}"; rename it`,
      );
    },
  );

  it("points NATS events at the deployment's own server and keeps the prefix", async () => {
    const root = await scratchRepository();
    scratch.push(root);
    const path = join(root, 'topology/split-nats.json');
    const topology = JSON.parse(await readFile(path, 'utf8'));
    topology.events = {
      transport: 'nats',
      servers: ['nats://10.0.0.5:4222', 'tls://10.0.0.6:4222'],
      prefix: 'shop',
    };
    await writeFile(path, JSON.stringify(topology));

    const container = await loadContainerTopology(root, 'split-nats');
    expect(container.topology.events).toEqual({
      transport: 'nats',
      servers: ['nats://nats:4222'],
      prefix: 'shop',
    });
    expect((await loadContainerTopology(root, 'split')).topology.events).toBeUndefined();
  });
});
