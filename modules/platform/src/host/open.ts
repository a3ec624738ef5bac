// Opening a host: the configuration (environment, topology), the modules this
// process hosts, its database, and each hosted module's migrations.
import { join } from 'node:path';
import { loadConfig, type PlatformConfig } from '../config.js';
import type { Contract } from '../contract.js';
import { createDatabase, type DatabaseHandle } from '../database.js';
import { AppError } from '../errors.js';
import { ensureEventTables } from '../events/tables.js';
import { createLogger, type Logger } from '../logger.js';
import type { ModuleDefinition } from '../module.js';
import { loadTopology, resolveService } from '../topology.js';

export interface OpenOptions {
  /** modules are all modules this build knows; SEAM_MODULES picks the hosted subset. */
  modules: readonly ModuleDefinition<Contract, never>[] | readonly ModuleDefinition[];
  env?: Record<string, string | undefined>;
  log?: Logger;
}

export interface Opened {
  config: PlatformConfig;
  log: Logger;
  selected: ModuleDefinition[];
  database: DatabaseHandle;
}

/**
 * openAndMigrate reads the configuration, picks the hosted modules (SEAM_MODULES,
 * or SEAM_TOPOLOGY with SEAM_SERVICE), opens the database and migrates them.
 */
export async function openAndMigrate(options: OpenOptions): Promise<Opened> {
  const definitions = options.modules as readonly ModuleDefinition[];
  const config = loadConfig(
    options.env ?? process.env,
    definitions.map((d) => d.config ?? {}),
  );
  const known = definitions.map((d) => d.contract.name);
  let wanted = config.SEAM_MODULES ?? known;
  if (config.SEAM_TOPOLOGY) {
    // A topology names this process's modules and where every other one runs;
    // SEAM_REMOTES, when also set, overrides single modules' URLs.
    if (config.SEAM_MODULES) {
      throw new AppError({
        status: 500,
        code: 'invalid-configuration',
        detail:
          'Invalid configuration: set SEAM_TOPOLOGY (with SEAM_SERVICE) or SEAM_MODULES, not both',
      });
    }
    const topology = await loadTopology(config.SEAM_TOPOLOGY, known);
    const resolved = resolveService(topology, config.SEAM_SERVICE);
    wanted = resolved.hosted;
    config.SEAM_REMOTES = { ...resolved.remotes, ...config.SEAM_REMOTES };
    // The topology's event transport, unless the environment names one.
    if (topology.events && !config.SEAM_EVENT_TRANSPORT) {
      config.SEAM_EVENT_TRANSPORT = topology.events.transport;
      if (topology.events.transport === 'nats') {
        config.SEAM_NATS_SERVERS ??= topology.events.servers;
        config.SEAM_NATS_PREFIX ??= topology.events.prefix;
      }
    }
  }
  if (config.SEAM_EVENT_TRANSPORT === 'nats' && !config.SEAM_NATS_SERVERS?.length) {
    throw new AppError({
      status: 500,
      code: 'invalid-configuration',
      detail:
        'Invalid configuration: SEAM_EVENT_TRANSPORT=nats needs SEAM_NATS_SERVERS (or a topology whose events list servers)',
    });
  }
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new AppError({
      status: 500,
      code: 'invalid-configuration',
      detail: `Invalid configuration: SEAM_MODULES names unknown module(s) ${unknown.join(', ')}; known modules are ${known.join(', ')}`,
    });
  }
  const selected = definitions.filter((d) => wanted.includes(d.contract.name));
  const log =
    options.log ?? createLogger({ level: config.LOG_LEVEL, service: config.SEAM_SERVICE });
  const database = await createDatabase({
    url: config.DATABASE_URL,
    dataDir: join(config.SEAM_DATA_DIR, config.SEAM_SERVICE),
    log,
    applicationName: `seam-${config.SEAM_SERVICE}`,
  });
  try {
    for (const definition of selected) {
      const started = performance.now();
      await database.migrate(definition.contract.name, definition.migrationsFolder, {
        after: (db) => ensureEventTables(db, definition.contract.name),
      });
      log.debug(
        { module: definition.contract.name, ms: Math.round(performance.now() - started) },
        'migrated',
      );
    }
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return { config, log, selected, database };
}

/**
 * migrate applies the migrations of the modules SEAM_MODULES selects and closes
 * the database; `npm run db:migrate` runs it.
 */
export async function migrate(options: OpenOptions): Promise<string[]> {
  const { selected, database } = await openAndMigrate(options);
  await database.close();
  return selected.map((d) => d.contract.name);
}
