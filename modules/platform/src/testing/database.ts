// A database of its own for one test file: a new database on the Postgres
// server DATABASE_URL names, or a PGlite folder copied from the initialised template.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteTemplate } from '../pglite-template.js';

export interface TestDatabase {
  /** env selects the database for a host: DATABASE_URL or SEAM_DATA_DIR. */
  env: Record<string, string>;
  kind: 'postgres' | 'pglite';
  dispose(): Promise<void>;
}

/**
 * createTestDatabase makes an empty database that only this test file uses.
 * `service` names the PGlite folder the host will open (SEAM_SERVICE).
 */
export async function createTestDatabase(service = 'monolith'): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const { default: postgres } = await import('postgres');
    const name = `seam_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`create database "${name}"`);
    } finally {
      await admin.end({ timeout: 1 });
    }
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      env: { DATABASE_URL: url.toString() },
      kind: 'postgres',
      async dispose() {
        const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
        try {
          await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
        } finally {
          await cleanup.end({ timeout: 1 });
        }
      },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'seam-test-'));
  await cp(await pgliteTemplate(), join(dir, service), { recursive: true });
  return {
    env: { SEAM_DATA_DIR: dir },
    kind: 'pglite',
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
