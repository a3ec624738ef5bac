import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notesContract, notesModule } from './testing/fixtures/index.js';
import { createClient, createHttpTransport } from './client.js';
import { createDatabase } from './database.js';
import { AppError } from './errors.js';
import { createHost, migrate } from './host.js';
import { createLogger } from './logger.js';
import { createTestDatabase, type TestDatabase } from './testing/index.js';

const SERVICE_TOKEN = 'lifecycle-service-token-0123456789abcdef';
let database: TestDatabase;
const env = () => ({
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  SEAM_SERVICE_TOKEN: SERVICE_TOKEN,
  ...database.env,
});

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

async function migrationRows(): Promise<number> {
  const host = await createHost({ modules: [notesModule], env: env() });
  try {
    const rows = await host.database.db.execute(sql`select id from notes.__migrations`);
    return (Array.isArray(rows) ? rows : (rows as unknown as { rows: unknown[] }).rows).length;
  } finally {
    await host.close();
  }
}

describe('migrations', () => {
  it('applies a module migrations into its own schema and table, once', async () => {
    expect(await migrate({ modules: [notesModule], env: env() })).toEqual(['notes']);
    expect(await migrationRows()).toBe(1);
    expect(await migrate({ modules: [notesModule], env: env() })).toEqual(['notes']);
    expect(await migrationRows()).toBe(1);
  });

  it('keeps data across a restart on the same database', async () => {
    const first = await createHost({ modules: [notesModule], env: env() });
    const note = await first.clients.of(notesContract).createNote({ text: 'survives' });
    await first.close();
    const second = await createHost({ modules: [notesModule], env: env() });
    try {
      expect(await second.clients.of(notesContract).getNote({ id: note.id })).toEqual(note);
    } finally {
      await second.close();
    }
  });
});

describe('graceful shutdown', () => {
  /** listeningNotes hosts notes on a loopback port, with a client calling it over HTTP. */
  async function listeningNotes() {
    const host = await createHost({ modules: [notesModule], env: env() });
    const { url } = await host.listen(0);
    const client = createClient(
      notesContract,
      createHttpTransport({ baseUrl: url, serviceToken: SERVICE_TOKEN }),
      { caller: 'test', defaultTimeoutMs: 5_000 },
    );
    return { host, client };
  }

  it('finishes an in-flight call, then refuses new connections', async () => {
    const { host, client } = await listeningNotes();
    const inFlight = client.sleep({ ms: 400 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = host.close();
    expect(await inFlight).toEqual({ slept: 400 });
    await closed;
    const after = await client.getNote({ id: randomUUID() }).catch((e: AppError) => e);
    expect(after).toBeInstanceOf(AppError);
    expect((after as AppError).code).toBe('module-unreachable');
  });

  it('reports not ready while shutting down', async () => {
    const { host, client } = await listeningNotes();
    const inFlight = client.sleep({ ms: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = host.close();
    const ready = await host.app.request('/health/ready');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { process: string } }).checks.process).toBe(
      'shutting down',
    );
    await inFlight;
    await closed;
  });
});

describe('embedded database folder', () => {
  it('refuses a second open of the same PGlite folder while the first is open', async () => {
    const log = createLogger({ level: 'silent', service: 'test' });
    const dataDir = await mkdtemp(join(tmpdir(), 'seam-lock-'));
    const first = await createDatabase({ dataDir, log });
    try {
      const error = await createDatabase({ dataDir, log }).catch((e) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error.code).toBe('data-folder-in-use');
    } finally {
      await first.close();
    }
    const again = await createDatabase({ dataDir, log });
    await again.close();
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('postgres database', () => {
  it('reports an unreachable server as a clear 503 error', async () => {
    const log = createLogger({ level: 'silent', service: 'test' });
    const error = await createDatabase({
      url: 'postgres://postgres@127.0.0.1:1/nowhere',
      dataDir: '.unused',
      log,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('database-unreachable');
  });
});
