// pings: a stateless module the gateway's tests put behind it, several replicas
// at a time; it says which replica answered. The other service behind the
// gateway in those tests is the platform's notes fixture (@seam/platform/testing).
import { fileURLToPath } from 'node:url';
import {
  createRoute,
  defineContract,
  defineModule,
  jsonContent,
  problemResponses,
  PUBLIC_SECURITY,
  z,
} from '@seam/platform';

const ReplicaSchema = z.object({ replica: z.string() }).openapi('GatewayReplica');

const pingsContract = defineContract({
  name: 'pings',
  description: 'Pings (gateway test fixture): which replica answered',
  operations: {},
  routes: {
    ping: createRoute({
      method: 'get',
      path: '/',
      operationId: 'ping',
      security: PUBLIC_SECURITY,
      summary: 'Say which replica answered',
      tags: ['pings'],
      responses: { 200: jsonContent(ReplicaSchema, 'The replica'), ...problemResponses(401) },
    }),
  },
});

export const pingsModule = defineModule({
  contract: pingsContract,
  migrationsFolder: fileURLToPath(new URL('./pings-migrations', import.meta.url)),
  /** FIXTURE_REPLICA names the replica in answers, so tests can count where requests went. */
  config: { FIXTURE_REPLICA: z.string().default('unnamed') },
  setup({ config }) {
    return {
      operations: {},
      routes(app) {
        app.openapi(pingsContract.routes.ping, (c) =>
          c.json({ replica: config.FIXTURE_REPLICA }, 200),
        );
      },
    };
  },
});
