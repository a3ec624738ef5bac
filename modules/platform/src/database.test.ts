import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from './database.js';
import { createLogger } from './logger.js';
import { createTestDatabase, eventually, type TestDatabase } from './testing/index.js';

let testDatabase: TestDatabase;
let database: DatabaseHandle;
let folder: string;
const journal: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[] =
  [];

async function addMigration(tag: string, when: number, statement: string): Promise<void> {
  journal.push({ idx: journal.length, version: '7', when, tag, breakpoints: true });
  await writeFile(join(folder, `${tag}.sql`), statement);
  await writeFile(
    join(folder, 'meta', '_journal.json'),
    JSON.stringify({ version: '7', dialect: 'postgresql', entries: journal }),
  );
}

/** rowsOf reads rows from either driver: postgres.js returns an array, PGlite `{ rows }`. */
function rowsOf<T>(result: unknown): T[] {
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

async function tables(): Promise<string[]> {
  const result = await database.db.execute(
    sql`select table_name from information_schema.tables where table_schema = 'ledger' and table_name in ('accounts', 'entries') order by 1`,
  );
  return rowsOf<{ table_name: string }>(result).map((row) => row.table_name);
}

async function recorded(): Promise<number> {
  const result = await database.db.execute(sql`select count(*)::int as n from ledger.__migrations`);
  return rowsOf<{ n: number }>(result)[0]!.n;
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  folder = await mkdtemp(join(tmpdir(), 'seam-migrations-'));
  await mkdir(join(folder, 'meta'));
  database = await createDatabase({
    url: testDatabase.env.DATABASE_URL,
    dataDir: join(testDatabase.env.SEAM_DATA_DIR ?? folder, 'monolith'),
    log: createLogger({ level: 'silent', service: 'test' }),
  });
});

afterAll(async () => {
  await database?.close();
  await testDatabase?.dispose();
  await rm(folder, { recursive: true, force: true });
});

describe('migrate', () => {
  it('applies a migration added after the schema was already up to date', async () => {
    await addMigration('0000_accounts', 1_000, 'create table "ledger"."accounts" (id int)');
    await database.migrate('ledger', folder);
    expect(await tables()).toEqual(['accounts']);

    await database.migrate('ledger', folder);
    expect(await recorded()).toBe(1);

    await addMigration('0001_entries', 2_000, 'create table "ledger"."entries" (id int)');
    await database.migrate('ledger', folder);
    expect(await tables()).toEqual(['accounts', 'entries']);
    expect(await recorded()).toBe(2);
  });
});

describe('stats', () => {
  it('counts a query in flight until it answers, and reports the pool size', async () => {
    expect(database.stats().queriesInFlight).toBe(0);
    const running = database.db.execute(sql`select pg_sleep(0.5)`);
    // The query is sent when it is first awaited (postgres.js queries are lazy).
    const settled = running.then(() => database.stats().queriesInFlight);
    await eventually(() => expect(database.stats().queriesInFlight).toBe(1));
    expect(await settled).toBe(0);
    const failed = database.db.execute(sql`select * from no_such_table`).catch(() => 'failed');
    expect(await failed).toBe('failed');
    expect(database.stats().queriesInFlight).toBe(0);
    expect(database.stats().maxConnections).toBe(database.kind === 'pglite' ? 1 : 10);
  });
});
