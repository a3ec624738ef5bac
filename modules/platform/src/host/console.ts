// The operator console's data: two admin-only routes under /api/console that the
// console page (apps/console) reads. A host answers for itself (its service, its
// outbox, its recent errors and route metrics, the replicas it calls); the
// gateway answers the same shape for the whole topology, gathered from every
// replica (apps/gateway/src/console.ts).
import { createRoute, z } from '@hono/zod-openapi';
import { DELIVERY_EXAMPLE, DeliverySchema } from '../events/admin-routes.js';
import { BEARER_SECURITY, requireAuth } from '../http/auth.js';
import { createModuleApp, jsonContent, moduleDocument, problemResponses } from '../http/openapi.js';
import type { OpenApiDocument } from '../http/openapi.js';

/** CONSOLE_ROUTER_NAME is the URL segment of the console's routes: /api/console. */
export const CONSOLE_ROUTER_NAME = 'console';

const ConsoleReplicaSchema = z
  .object({
    url: z.string().openapi({ example: 'http://127.0.0.1:4101' }),
    breaker: z.enum(['unknown', 'ready', 'ejected']).optional().openapi({
      description:
        "The gateway's circuit breaker for the replica (ejected: no traffic); absent without a gateway",
    }),
    ready: z.boolean().openapi({ description: 'Whether /health/ready answered 200' }),
    health: z.record(z.string(), z.unknown()).openapi({ description: 'The /health/ready body' }),
    error: z.string().optional(),
  })
  .openapi('ConsoleReplica');

const ConsoleServiceSchema = z
  .object({
    name: z.string().openapi({ example: 'orders' }),
    modules: z.array(z.string()),
    replicas: z.array(ConsoleReplicaSchema),
  })
  .openapi('ConsoleService');

const RemoteReplicasSchema = z
  .object({
    module: z.string(),
    replicas: z.array(
      z.object({
        url: z.string(),
        state: z.enum(['unknown', 'ready', 'ejected']),
        since: z.string(),
        lastError: z.string().optional(),
      }),
    ),
  })
  .openapi('ConsoleRemote');

const RecentErrorSchema = z
  .object({
    at: z.string(),
    method: z.string(),
    path: z.string(),
    route: z.string(),
    status: z.number().int(),
    requestId: z.string().optional(),
    type: z.string().optional(),
    title: z.string().optional(),
    detail: z.string().optional(),
  })
  .openapi('ConsoleRecentError');

const RouteSeriesSchema = z
  .object({
    method: z.string(),
    route: z.string().openapi({ example: '/api/catalog/products/:id' }),
    status: z.number().int(),
    count: z.number().int(),
    sum: z.number().openapi({ description: 'Seconds spent answering, summed' }),
    buckets: z.array(z.number().int()).openapi({ description: 'Cumulative counts per bucket' }),
  })
  .openapi('ConsoleRouteSeries');

const OperationSummarySchema = z
  .object({
    module: z.string().openapi({ example: 'payments' }),
    operation: z.string().openapi({ example: 'charge' }),
    transport: z.string().openapi({ example: 'http' }),
    count: z.number().int(),
    errors: z.number().int().openapi({ description: 'Calls whose outcome was not ok' }),
    ratePerSecond: z
      .number()
      .openapi({ description: 'Calls per second since the process started' }),
    p50Seconds: z.number().nullable(),
    p99Seconds: z.number().nullable(),
    meanSeconds: z.number().nullable(),
  })
  .openapi('ConsoleOperationSummary');

const ConsoleProcessSchema = z
  .object({
    service: z.string(),
    url: z.string().optional(),
    uptimeSeconds: z.number(),
    errorsTotal: z.number().int(),
    errors: z.array(RecentErrorSchema).openapi({ description: 'Newest first, at most 100' }),
    routes: z.array(RouteSeriesSchema),
    operations: z.array(OperationSummarySchema).openapi({
      description: 'Module operations this process called, as its typed clients saw them',
    }),
    remotes: z.array(RemoteReplicasSchema),
  })
  .openapi('ConsoleProcess');

const ConsoleDeliverySchema = DeliverySchema.extend({
  service: z
    .string()
    .openapi({ description: 'The service whose outbox holds it', example: 'orders' }),
}).openapi('ConsoleDelivery', { example: { ...DELIVERY_EXAMPLE, service: 'orders' } });

const SubscriberCountsSchema = z
  .object({
    service: z.string(),
    subscriber: z.string(),
    pending: z.number().int(),
    failed: z.number().int(),
  })
  .openapi('ConsoleSubscriberCounts');

const GraphSchema = z
  .object({
    modules: z.array(
      z.object({
        name: z.string(),
        description: z.string(),
        operations: z.array(z.string()),
        publishes: z.array(z.string()).openapi({ description: 'Event types' }),
        consumes: z.array(z.string()).openapi({ description: 'Event types' }),
      }),
    ),
    calls: z.array(z.object({ from: z.string(), to: z.string() })),
    events: z.array(z.object({ from: z.string(), to: z.string(), event: z.string() })),
  })
  .openapi('ConsoleModuleGraph', {
    description:
      'The module graph (moduleGraph): modules, who calls whom, who consumes whose events',
  });

export const ConsoleStateSchema = z
  .object({
    at: z.string(),
    answeredBy: z.string().openapi({ description: 'The service (or gateway) that gathered it' }),
    services: z.array(ConsoleServiceSchema),
    graph: GraphSchema,
    outbox: z.object({
      subscribers: z.array(SubscriberCountsSchema),
      deliveries: z.array(ConsoleDeliverySchema).openapi({
        description: 'Pending and failed deliveries, newest first',
      }),
    }),
    processes: z.array(ConsoleProcessSchema),
    latencyBuckets: z.array(z.number()).openapi({ description: 'Bucket upper bounds, seconds' }),
  })
  .openapi('ConsoleState');

export type ConsoleState = z.output<typeof ConsoleStateSchema>;
export type ConsoleDelivery = z.output<typeof ConsoleDeliverySchema>;
export type ConsoleProcess = z.output<typeof ConsoleProcessSchema>;
export type ConsoleService = z.output<typeof ConsoleServiceSchema>;
export type ConsoleGraph = z.output<typeof GraphSchema>;

const getState = createRoute({
  method: 'get',
  path: '/state',
  operationId: 'getConsoleState',
  summary: 'Operator console state',
  description:
    'Topology, health and breakers, the module graph, the outbox (pending and failed deliveries), recent errors and route metrics. On the gateway, gathered from every replica of every service. Admin only.',
  tags: [CONSOLE_ROUTER_NAME],
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  responses: {
    200: jsonContent(ConsoleStateSchema, 'The console state'),
    ...problemResponses(401, 403, 503),
  },
});

const retryDelivery = createRoute({
  method: 'post',
  path: '/services/{service}/deliveries/{id}/retry',
  operationId: 'retryConsoleDelivery',
  summary: 'Retry a failed delivery of a service',
  description:
    "Puts a failed delivery of the named service's outbox back in the queue with a fresh attempt budget. Admin only.",
  tags: [CONSOLE_ROUTER_NAME],
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: {
    params: z.object({
      service: z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,62}$/)
        .openapi({ param: { name: 'service', in: 'path' }, example: 'orders' }),
      id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: DELIVERY_EXAMPLE.id }),
    }),
  },
  responses: {
    200: jsonContent(ConsoleDeliverySchema, 'The delivery, pending again'),
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

/** ConsoleSource answers the console's routes; `authorization` is the caller's header, for a gateway to pass on. */
export interface ConsoleSource {
  state(authorization: string): Promise<ConsoleState>;
  retry(service: string, id: string, authorization: string): Promise<ConsoleDelivery>;
}

/**
 * consoleRouter serves GET /state and POST /services/{service}/deliveries/{id}/retry
 * from `source`, admin only (requireAuth('admin'), after the app's `authenticate`).
 *
 * @example
 * app.route('/api/console', consoleRouter(source));
 */
export function consoleRouter(source: ConsoleSource) {
  const app = createModuleApp();
  app.openapi(getState, async (c) =>
    c.json(await source.state(c.req.header('authorization') ?? ''), 200),
  );
  app.openapi(retryDelivery, async (c) => {
    const { service, id } = c.req.valid('param');
    return c.json(await source.retry(service, id, c.req.header('authorization') ?? ''), 200);
  });
  return app;
}

/** consoleDocument is the console routes' OpenAPI document (paths under /api/console). */
export function consoleDocument(
  router: ReturnType<typeof consoleRouter>,
  version: string,
): OpenApiDocument {
  return moduleDocument(router, CONSOLE_API, version);
}

/** CONSOLE_API is how the console's routes appear in the OpenAPI document: like a module's. */
export const CONSOLE_API = {
  name: CONSOLE_ROUTER_NAME,
  description: 'The operator console (admin only)',
  routes: { getState, retryDelivery },
} as const;

/** subscriberCounts counts pending and failed deliveries per service and subscriber. */
export function subscriberCounts(
  deliveries: readonly ConsoleDelivery[],
): ConsoleState['outbox']['subscribers'] {
  const counts = new Map<string, ConsoleState['outbox']['subscribers'][number]>();
  for (const d of deliveries) {
    if (d.status === 'delivered') continue;
    const key = `${d.service}\u0000${d.subscriber}`;
    const entry = counts.get(key) ?? {
      service: d.service,
      subscriber: d.subscriber,
      pending: 0,
      failed: 0,
    };
    entry[d.status] += 1;
    counts.set(key, entry);
  }
  return [...counts.values()];
}

/** mergeGraphs joins the graphs of several services (each knows its hosted modules) into one. */
export function mergeGraphs(graphs: readonly ConsoleGraph[]): ConsoleGraph {
  const modules = new Map<string, ConsoleGraph['modules'][number]>();
  const calls = new Map<string, ConsoleGraph['calls'][number]>();
  const events = new Map<string, ConsoleGraph['events'][number]>();
  for (const graph of graphs) {
    for (const m of graph.modules) if (!modules.has(m.name)) modules.set(m.name, m);
    for (const c of graph.calls) calls.set(`${c.from} ${c.to}`, c);
    for (const e of graph.events) events.set(`${e.from} ${e.to} ${e.event}`, e);
  }
  return {
    modules: [...modules.values()],
    calls: [...calls.values()],
    events: [...events.values()],
  };
}
