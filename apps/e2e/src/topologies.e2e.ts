// The product's central promise, checked end to end: the same journey answers the
// same whether the shop runs as one process or split into services behind the
// gateway — every shipped topology, and every module alone in a service of its own
// with the rest together — and topology/split-nats.json, events through NATS
// JetStream, when NATS_URL names a server (CI). Each run starts real processes on fresh databases (one
// per service); the monolith's transcript is the reference, and every other run
// must match it exchange for exchange, apart from ids, tokens and timestamps.
import { loadTopology, type Topology } from '@seam/platform';
import { startTopology, REPO_ROOT } from '@seam/platform/processes';
import {
  createTopologyDatabases,
  NATS_SERVERS,
  testNats,
  type TestNats,
} from '@seam/platform/testing';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADMIN_ENV, runJourney, type Exchange } from './support/journey.js';
import { startServer } from './support/server.js';
import { onNats } from './support/split.js';

const MODULES = ['users', 'catalog', 'inventory', 'cart', 'payments', 'orders', 'notifications'];

/** The same settings for every run, so that only the topology differs. */
/** Seven or eight processes share the machine's cores: a run may take minutes under load. */
const ENV = {
  ...ADMIN_ENV,
  SEAM_DEMO_DATA: 'true',
  SEAM_EVENT_POLL_MS: '50',
  SEAM_EVENT_RETRY_BASE_MS: '100',
  LOG_LEVEL: 'warn',
};

/** alone puts `module` in a service of its own and every other module in `rest`. */
function alone(module: string): Topology {
  return {
    services: {
      [module]: { modules: [module], replicas: ['http://127.0.0.1:1'] },
      rest: { modules: MODULES.filter((m) => m !== module), replicas: ['http://127.0.0.1:2'] },
    },
  };
}

const shipped = async (name: string) => loadTopology(join(REPO_ROOT, 'topology', `${name}.json`));
/** nats is the NATS prefix of the split-nats run, its streams deleted after it. */
let nats: TestNats | undefined;
const TOPOLOGIES: [string, () => Promise<Topology>][] = [
  ['topology/monolith.json', () => shipped('monolith')],
  ['topology/split.json', () => shipped('split')],
  ...(NATS_SERVERS.length > 0
    ? [
        [
          'topology/split-nats.json (events through NATS JetStream)',
          async () => onNats(await shipped('split-nats'), (nats = testNats())),
        ] as [string, () => Promise<Topology>],
      ]
    : []),
  ['topology/grouped.json', () => shipped('grouped')],
  ...MODULES.map((m): [string, () => Promise<Topology>] => [`${m} alone`, async () => alone(m)]),
];

let reference: Exchange[] | undefined;

describe('the shopper journey', () => {
  it('runs on the monolith (`npm start`), which is the reference', async () => {
    const server = await startServer(ENV);
    try {
      reference = await runJourney({ baseUrl: server.url });
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- server ---\n${server.logs().slice(-4000)}`);
    } finally {
      await server.stop();
    }
    expect(reference.length).toBeGreaterThan(60);
  }, 180_000);

  it.each(TOPOLOGIES)(
    'answers the same through the gateway: %s',
    async (_, load) => {
      expect(reference, 'the monolith run must pass first').toBeDefined();
      const topology = await load();
      const databases = await createTopologyDatabases(topology);
      const run = await startTopology({
        topology,
        env: ENV,
        serviceEnv: databases.serviceEnv,
      }).catch(async (error) => {
        await databases.dispose();
        throw error;
      });
      try {
        const transcript = await runJourney({ baseUrl: run.url });
        expect(transcript).toEqual(reference);
        // On NATS the events crossed services through JetStream, not HTTP pushes.
        if (nats) {
          expect((await nats.stream('users')).messages).toBeGreaterThan(0);
          expect((await nats.stream('orders')).messages).toBeGreaterThan(0);
        }
      } catch (error) {
        throw new Error(
          `${(error as Error).message}\n--- processes ---\n${run.logs().slice(-6000)}`,
        );
      } finally {
        await run.stop();
        await databases.dispose();
        await nats?.dispose();
        nats = undefined;
      }
    },
    300_000,
  );
});
