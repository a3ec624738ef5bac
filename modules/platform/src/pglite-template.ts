// An initialised, empty PGlite folder to copy instead of running initdb again.
// A fresh PGlite folder costs seconds of initdb in WebAssembly — tens of seconds
// when the seven services of a split each run it at once on two cores — while a
// copy of an initialised one costs a fraction of a second. The database factory
// copies it into every new PGlite folder (so only a machine's first ever start
// runs initdb), the test helpers for every test database, and `npm run
// start:split` into every service folder that does not exist yet.
import { cp, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * pgliteTemplate returns the template folder, building it on first use. It is
 * kept per machine and PGlite version in the temporary folder, and built
 * atomically (in a folder of its own, then renamed), so processes may race for it.
 */
export async function pgliteTemplate(): Promise<string> {
  const template = join(tmpdir(), `seam-pglite-template-${pgliteVersion()}`);
  if (await exists(join(template, 'PG_VERSION'))) return template;
  const { PGlite } = await import('@electric-sql/pglite');
  const building = await mkdtemp(join(tmpdir(), 'seam-pglite-building-'));
  const client = new PGlite(building);
  await client.waitReady;
  await client.close();
  try {
    await rename(building, template);
  } catch {
    await rm(building, { recursive: true, force: true });
  }
  return template;
}

/**
 * seedPgliteFolders copies the template into each of `folders` that is missing or
 * empty, and returns those it seeded. A folder with anything in it is left alone:
 * it is a database already (or something this must not overwrite).
 */
export async function seedPgliteFolders(folders: string[]): Promise<string[]> {
  const empty: string[] = [];
  for (const folder of folders.map((f) => resolve(f))) {
    const entries = await readdir(folder).catch(() => [] as string[]);
    if (entries.length === 0) empty.push(folder);
  }
  if (empty.length === 0) return [];
  const template = await pgliteTemplate();
  await Promise.all(empty.map((folder) => cp(template, folder, { recursive: true })));
  return empty;
}

function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (dir !== dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (manifest.name === '@electric-sql/pglite') return String(manifest.version);
    } catch {
      // not the package root yet
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
