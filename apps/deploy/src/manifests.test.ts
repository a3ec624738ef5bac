import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '@seam/platform/processes';
import { afterAll, describe, expect, it } from 'vitest';
import { REGENERATE, renderManifests } from './manifests.js';
import { scratchRepository } from './test-support.js';

const GENERATED_DIRS = [
  'docker/topology',
  'docker/compose',
  'docker/kubernetes',
  'docker/grafana/dashboards',
];

/** staleFiles lists the generated files whose committed copy under `root` differs. */
async function staleFiles(root: string): Promise<string[]> {
  const stale: string[] = [];
  const files = await renderManifests(root);
  for (const [path, text] of files) {
    const committed = await readFile(join(root, path), 'utf8').catch(() => undefined);
    if (committed !== text)
      stale.push(`${path} (${committed === undefined ? 'missing' : 'differs'})`);
  }
  for (const dir of GENERATED_DIRS) {
    for (const name of await readdir(join(root, dir))) {
      if (!files.has(`${dir}/${name}`)) stale.push(`${dir}/${name} (not generated any more)`);
    }
  }
  return stale;
}

function outOfDate(stale: string[]): string {
  return `Deployment files are out of date: ${stale.join(', ')}. Run \`${REGENERATE}\` and commit the result.`;
}

describe('generated deployment files', () => {
  const scratch: string[] = [];
  afterAll(async () => {
    for (const dir of scratch) await rm(dir, { recursive: true, force: true });
  });

  it('are committed exactly as `npm run manifests` writes them', async () => {
    const stale = await staleFiles(REPO_ROOT);
    expect(stale, outOfDate(stale)).toEqual([]);
  });

  it('are reported stale, with the command to fix them, when a topology changes', async () => {
    const root = await scratchRepository();
    scratch.push(root);
    const path = join(root, 'topology/grouped.json');
    const topology = JSON.parse(await readFile(path, 'utf8'));
    topology.services.storefront.modules = ['catalog', 'inventory'];
    topology.services.checkout.modules.push('cart');
    await writeFile(path, JSON.stringify(topology));
    await writeFile(join(root, 'docker/compose/old.yaml'), 'services: {}\n');

    const stale = await staleFiles(root);
    expect(stale).toEqual([
      'docker/topology/grouped.json (differs)',
      'docker/kubernetes/grouped.yaml (differs)',
      'docker/compose/old.yaml (not generated any more)',
    ]);
    expect(outOfDate(stale)).toContain('Run `npm run manifests`');
  });

  it('refuse a PGlite Compose file for a service with several replicas', async () => {
    const root = await scratchRepository();
    scratch.push(root);
    const path = join(root, 'topology/split.json');
    const topology = JSON.parse(await readFile(path, 'utf8'));
    topology.services.catalog.replicas.push('http://127.0.0.1:3112');
    await writeFile(path, JSON.stringify(topology));

    await expect(renderManifests(root)).rejects.toThrow(
      'topology/split.json: service "catalog" has 2 replicas, but a PGlite folder can be opened by one process only; use the Postgres variant',
    );
  });
});
