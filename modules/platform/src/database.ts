// The one database factory. Without DATABASE_URL a process gets PGlite persisted
// in its own data folder; with it, Postgres through postgres.js. Both are handed
// to modules as the same drizzle `Database` type, and each module migrates its
// own schema with its own migrations table. With tracing on, every statement
// is a CLIENT span (`db.system`, `db.query.text`) under the active span.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { AppError } from './errors.js';
import type { Logger } from './logger.js';
import { pgliteTemplate } from './pglite-template.js';
import { failSpan, querySpan, tracingOn, type Span } from './tracing.js';

/** Database is what a module queries: drizzle over PGlite or over Postgres. */
export type Database = PgDatabase<PgQueryResultHKT>;

export interface DatabaseHandle {
  readonly db: Database;
  readonly kind: 'pglite' | 'postgres';
  /** location is the data folder (PGlite) or the URL without its password (Postgres). */
  readonly location: string;
  /** ping runs `select 1`; readiness uses it. */
  ping(): Promise<void>;
  /**
   * migrate applies a module's migrations into its own schema, once across
   * replicas: on Postgres under an advisory lock per schema, which `after` (the
   * platform's own tables, say) still holds.
   */
  migrate(schema: string, migrationsFolder: string, options?: MigrateOptions): Promise<void>;
  /**
   * listen calls `onNotify` with the payload of every NOTIFY on `channel` (Postgres
   * delivers them when the notifying transaction commits) and resolves once the
   * LISTEN is in place, with a function that stops listening. On Postgres it
   * holds one extra connection, re-established (and re-listened) if it drops.
   *
   * @example
   * const stop = await database.listen('seam_events', (module) => wake(module));
   * await db.execute(sql`select pg_notify('seam_events', 'orders')`);
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** stats tells what the factory knows of the connections, for the metrics. */
  stats(): DatabaseStats;
  close(): Promise<void>;
}

/**
 * DatabaseStats: postgres.js does not publish how many of its connections are
 * busy, so the factory reports the pool's size and counts the queries it sent
 * that are not answered yet. PGlite is one embedded connection; a transaction
 * counts as one query in flight while it runs.
 */
export interface DatabaseStats {
  maxConnections: number;
  queriesInFlight: number;
}

export interface MigrateOptions {
  /** after runs once the migrations are applied, on the same connection and lock. */
  after?: (db: Database) => Promise<void>;
}

export interface DatabaseOptions {
  url?: string | undefined;
  /** dataDir is the PGlite folder of this process; created on demand. */
  dataDir: string;
  log: Logger;
  /** applicationName is shown in pg_stat_activity. */
  applicationName?: string;
  poolSize?: number;
}

/**
 * preparedQuery builds a query once per database with drizzle's `.prepare()`, so
 * a hot read does not rebuild its SQL on every call. Only for queries on the
 * database itself, not inside a transaction.
 *
 * @example
 * const productById = preparedQuery((db) =>
 *   db.select().from(products).where(eq(products.id, sql.placeholder('id'))).prepare('product_by_id'));
 * const [row] = await productById(db).execute({ id });
 */
export function preparedQuery<Q>(build: (db: Database) => Q): (db: Database) => Q {
  const built = new WeakMap<Database, Q>();
  return (db) => {
    let query = built.get(db);
    if (!query) {
      query = build(db);
      built.set(db, query);
    }
    return query;
  };
}

/** MIGRATIONS_TABLE is each module's own table inside its own schema. */
export const MIGRATIONS_TABLE = '__migrations';

/**
 * createDatabase opens the process's database.
 *
 * @example
 * const database = await createDatabase({ url: config.DATABASE_URL, dataDir: '.data/monolith', log });
 * await database.migrate('catalog', migrationsFolder);
 */
export async function createDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.dataDir, options);
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  const maxConnections = options.poolSize ?? 10;
  const counter = { inFlight: 0 };
  const client = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
    connection: { application_name: options.applicationName ?? 'seam' },
    // Reconnect after 0.1, 0.2, 0.4 … s, never more than 1 s apart (postgres.js's
    // default grows to 20 s): back within a second of the database.
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
  });
  const db = drizzle({ client: preparedStatements(client, counter) }) as unknown as Database;
  const location = redactUrl(url);
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 });
    throw new AppError({
      status: 503,
      code: 'database-unreachable',
      detail: `Cannot connect to Postgres at ${location}: ${(error as Error).message}`,
      cause: error,
    });
  }
  options.log.info({ database: 'postgres', location }, 'database connected');
  return {
    db,
    kind: 'postgres',
    location,
    async ping() {
      await client`select 1`;
    },
    async migrate(schema, migrationsFolder, { after } = {}) {
      // A session-level advisory lock keeps replicas that start together from
      // applying the same migration twice; a one-connection client holds it.
      const single = postgres(url, { max: 1, onnotice: () => {} });
      const lockKey = `seam:migrate:${schema}`;
      try {
        await single`select pg_advisory_lock(hashtext(${lockKey}))`;
        const locked = drizzle({ client: single });
        await migrate(locked, {
          migrationsFolder,
          migrationsSchema: schema,
          migrationsTable: MIGRATIONS_TABLE,
        });
        await after?.(locked as unknown as Database);
        await single`select pg_advisory_unlock(hashtext(${lockKey}))`;
      } finally {
        await single.end({ timeout: 5 });
      }
    },
    async listen(channel, onNotify) {
      const { unlisten } = await client.listen(channel, onNotify);
      return unlisten;
    },
    stats: () => ({ maxConnections, queriesInFlight: counter.inFlight }),
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPglite(dataDir: string, options: DatabaseOptions): Promise<DatabaseHandle> {
  const folder = resolve(dataDir);
  mkdirSync(folder, { recursive: true });
  const releaseLock = lockDataDir(folder);
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  let client: InstanceType<typeof PGlite>;
  try {
    // A new folder starts as a copy of an initialised one: initdb in WebAssembly
    // costs seconds, a copy a fraction of one (see pglite-template.ts).
    if (!existsSync(join(folder, 'PG_VERSION'))) {
      await cp(await pgliteTemplate(), folder, { recursive: true });
    }
    client = new PGlite(folder, {
      startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
    });
    await client.waitReady;
  } catch (error) {
    releaseLock();
    throw error;
  }
  const counter = countQueries(client);
  // Decided once: a process starts tracing before it opens its database.
  const db = drizzle({
    client: tracingOn() ? tracedPglite(client) : client,
  }) as unknown as Database;
  options.log.info({ database: 'pglite', location: folder }, 'database opened');
  return {
    db,
    kind: 'pglite',
    location: folder,
    async ping() {
      await db.execute(sql`select 1`);
    },
    async migrate(schema, migrationsFolder, { after } = {}) {
      // Drizzle's migrator hashes every file and runs four statements even when
      // nothing is new; one read of the latest applied migration skips it then.
      if (!(await isMigrated(client, schema, migrationsFolder))) {
        await migrate(drizzle({ client }), {
          migrationsFolder,
          migrationsSchema: schema,
          migrationsTable: MIGRATIONS_TABLE,
        });
      }
      await after?.(db);
    },
    async listen(channel, onNotify) {
      const stop = await client.listen(channel, onNotify);
      return () => stop();
    },
    stats: () => ({ maxConnections: 1, queriesInFlight: counter.inFlight }),
    async close() {
      try {
        await client.close();
      } finally {
        releaseLock();
      }
    },
  };
}

/**
 * PGLITE_SETTINGS are Postgres settings for the embedded database. PGlite's
 * default shared_buffers (128MB) is touched at start and stays resident: most of
 * a process's memory for a database of a few megabytes. 16MB holds a shop's
 * working set many times over.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

/**
 * isMigrated tells whether the latest migration in the folder's drizzle journal
 * is recorded in the schema's migrations table, by the rule drizzle applies
 * (a migration runs when its `when` is later than the last recorded one).
 */
async function isMigrated(
  client: { query<T>(sql: string): Promise<{ rows: T[] }> },
  schema: string,
  migrationsFolder: string,
): Promise<boolean> {
  let latest: number;
  try {
    const journal = JSON.parse(
      readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8'),
    ) as { entries: { when: number }[] };
    latest = Math.max(...journal.entries.map((entry) => entry.when));
  } catch {
    return false;
  }
  const table = `"${schema.replaceAll('"', '""')}"."${MIGRATIONS_TABLE}"`;
  const { rows } = await client.query<{ present: boolean }>(
    `select to_regclass('${table.replaceAll("'", "''")}') is not null as present`,
  );
  if (!rows[0]?.present) return false;
  const recorded = await client.query<{ last: string | null }>(
    `select max(created_at)::text as last from ${table}`,
  );
  const last = recorded.rows[0]?.last;
  return last !== null && last !== undefined && Number(last) >= latest;
}

/**
 * lockDataDir stops a second process from opening the same PGlite folder, which
 * would corrupt it. A lock left by a dead process is taken over.
 */
function lockDataDir(folder: string): () => void {
  const lockFile = join(folder, 'seam.lock');
  let holder: number | undefined;
  try {
    holder = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
  } catch {
    holder = undefined;
  }
  if (holder && isAlive(holder)) {
    throw new AppError({
      status: 503,
      code: 'data-folder-in-use',
      detail: `The data folder ${folder} is in use by process ${holder}; stop it or set SEAM_DATA_DIR / SEAM_SERVICE to another folder`,
    });
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}

/**
 * preparedStatements makes every query drizzle sends a named prepared statement
 * (postgres.js' own default, which drizzle turns off for queries it did not
 * `.prepare()`): Postgres parses and plans each query shape once per connection
 * instead of on every call. Transactions and savepoints get the same.
 */
function preparedStatements<T extends object>(sql: T, counter: { inFlight: number }): T {
  return new Proxy(sql, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'unsafe') {
        return (query: string, parameters?: unknown[], options?: object) => {
          const pending = countInFlight(
            value.call(target, query, parameters, { ...options, prepare: true }) as PendingQuery,
            counter,
          );
          const span = tracingOn() ? querySpan(query, 'postgres') : undefined;
          return span ? tracedQuery(pending as unknown as PromiseLike<unknown>, span) : pending;
        };
      }
      if (property === 'begin' || property === 'savepoint') {
        return (...args: unknown[]) => {
          const body = args.at(-1) as (inner: object) => unknown;
          args[args.length - 1] = (inner: object) => body(preparedStatements(inner, counter));
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
}

/** PendingQuery is the part of a postgres.js query countInFlight wraps. */
interface PendingQuery {
  handle(): Promise<void>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * countInFlight counts a postgres.js query from the moment it is sent (its
 * `handle`, run when it is first awaited) until it settles. postgres.js queries
 * are lazy promises, so wrapping `then` would send them too early.
 */
function countInFlight<Q extends PendingQuery>(query: Q, counter: { inFlight: number }): Q {
  const { handle, resolve, reject } = query;
  let counted = false;
  const settled = () => {
    if (counted) {
      counted = false;
      counter.inFlight -= 1;
    }
  };
  query.handle = function (this: Q) {
    if (!counted) {
      counted = true;
      counter.inFlight += 1;
    }
    return handle.call(this);
  };
  query.resolve = (value) => {
    settled();
    resolve(value);
  };
  query.reject = (error) => {
    settled();
    reject(error);
  };
  return query;
}

/** countQueries counts PGlite's queries and transactions in flight; drizzle calls these three. */
function countQueries(client: {
  query: (...args: never[]) => Promise<unknown>;
  exec: (...args: never[]) => Promise<unknown>;
  transaction: (...args: never[]) => Promise<unknown>;
}): { inFlight: number } {
  const counter = { inFlight: 0 };
  for (const method of ['query', 'exec', 'transaction'] as const) {
    const original = client[method].bind(client) as (...args: unknown[]) => Promise<unknown>;
    client[method] = (async (...args: unknown[]) => {
      counter.inFlight += 1;
      try {
        return await original(...args);
      } finally {
        counter.inFlight -= 1;
      }
    }) as never;
  }
  return counter;
}

/**
 * tracedQuery ends `span` when a postgres.js query settles. The query is lazy
 * (it runs when awaited, after drizzle has called `.values()` on it), so its own
 * `then` is wrapped rather than awaited here.
 */
function tracedQuery<Q extends PromiseLike<unknown>>(query: Q, span: Span): Q {
  const then = query.then;
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    if (error !== undefined) failSpan(span, error);
    span.end();
  };
  Object.defineProperty(query, 'then', {
    configurable: true,
    value(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown) {
      return then.call(
        query,
        (value) => {
          end();
          return onFulfilled ? onFulfilled(value) : value;
        },
        (error: unknown) => {
          end(error);
          if (onRejected) return onRejected(error);
          throw error;
        },
      );
    },
  });
  return query;
}

/**
 * tracedPglite puts every statement PGlite runs for drizzle (queries, and those
 * of its transactions) in a span.
 */
function tracedPglite<T extends object>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property === 'query' || property === 'exec') {
        return async (text: string, ...rest: unknown[]) => {
          const span = querySpan(text, 'pglite');
          if (!span) return value.call(target, text, ...rest);
          try {
            return await value.call(target, text, ...rest);
          } catch (error) {
            failSpan(span, error);
            throw error;
          } finally {
            span.end();
          }
        };
      }
      if (property === 'transaction') {
        return (body: (tx: object) => unknown) =>
          value.call(target, (tx: object) => body(tracedPglite(tx)));
      }
      return value.bind(target);
    },
  });
}
