// Databases for a whole topology under test: each service its own, as in a
// deployment — its own PGlite folder (copied from the initialised template), or
// its own new database on the Postgres server when DATABASE_URL is set.
import type { Topology } from '../topology.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TopologyDatabases {
  kind: TestDatabase['kind'];
  /** serviceEnv is each service's database variables, for startTopology's serviceEnv. */
  serviceEnv: Record<string, Record<string, string>>;
  dispose(): Promise<void>;
}

/**
 * createTopologyDatabases makes one empty database per service of `topology`.
 *
 * @example
 * const databases = await createTopologyDatabases(topology);
 * const run = await startTopology({ topology, serviceEnv: databases.serviceEnv });
 * await run.stop();
 * await databases.dispose();
 */
export async function createTopologyDatabases(topology: Topology): Promise<TopologyDatabases> {
  const services = Object.keys(topology.services);
  const created = await Promise.allSettled(services.map((service) => createTestDatabase(service)));
  const databases = created.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const dispose = async () => {
    await Promise.all(databases.map((d) => d.dispose()));
  };
  const failed = created.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await dispose();
    throw failed.reason;
  }
  return {
    kind: databases[0]!.kind,
    serviceEnv: Object.fromEntries(services.map((service, i) => [service, databases[i]!.env])),
    dispose,
  };
}
