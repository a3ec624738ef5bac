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
  });
});

describe('loadContainerTopology', () => {
  const scratch: string[] = [];
  afterAll(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a service named like the gateway, whose DNS name it would take', async () => {
    const root = await scratchRepository();
    scratch.push(root);
    const path = join(root, 'topology/split.json');
    const topology = JSON.parse(await readFile(path, 'utf8'));
    topology.services.gateway = topology.services.users;
    delete topology.services.users;
    await writeFile(path, JSON.stringify(topology));

    await expect(loadContainerTopology(root, 'split')).rejects.toThrow(
      'topology/split.json: service "gateway" clashes with the deployment\'s own "gateway"; rename it',
    );
  });
});
