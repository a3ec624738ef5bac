// What a host tells the operator console about itself: its one service and
// replica (this process), its outbox's pending and failed deliveries, its
// recent errors and route metrics, and the replicas it calls.
import { AppError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { Readiness } from '../http/base-app.js';
import { METRICS_BUCKETS, type Metrics } from '../http/metrics.js';
import type { RecentErrors } from '../http/recent-errors.js';
import type { ReplicaStatus } from '../remote/replicas.js';
import {
  subscriberCounts,
  type ConsoleDelivery,
  type ConsoleGraph,
  type ConsoleSource,
} from './console.js';
import type { ModuleGraph } from '../module-graph.js';

/** OUTBOX_LIMIT bounds the pending and the failed deliveries read for one answer. */
const OUTBOX_LIMIT = 200;
/** DELIVERIES_SHOWN bounds the deliveries listed in one answer (the counts see OUTBOX_LIMIT). */
const DELIVERIES_SHOWN = 100;

export interface HostConsoleOptions {
  service: string;
  modules: string[];
  bus: EventBus;
  metrics: Metrics;
  recentErrors: RecentErrors;
  /** graph is the hosted modules' graph (moduleGraph). */
  graph: ModuleGraph;
  remotes: () => { module: string; replicas: ReplicaStatus[] }[];
  readiness: () => Promise<Readiness>;
  /** url is where this process listens, once it does. */
  url: () => string | undefined;
}

/** hostConsole is the console source of one host process. */
export function hostConsole(options: HostConsoleOptions): ConsoleSource {
  const { service, bus } = options;
  return {
    async state() {
      const [failed, pending, health] = await Promise.all([
        bus.deliveries({ status: 'failed', limit: OUTBOX_LIMIT }),
        bus.deliveries({ status: 'pending', limit: OUTBOX_LIMIT }),
        options.readiness(),
      ]);
      const deliveries: ConsoleDelivery[] = [...failed, ...pending]
        .map((d) => ({ ...d, service }))
        .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
      const url = options.url();
      return {
        at: new Date().toISOString(),
        answeredBy: service,
        services: [
          {
            name: service,
            modules: options.modules,
            replicas: [{ url: url ?? '', ready: health.ready, health: health.body }],
          },
        ],
        graph: consoleGraph(options.graph),
        outbox: {
          subscribers: subscriberCounts(deliveries),
          deliveries: deliveries.slice(0, DELIVERIES_SHOWN),
        },
        processes: [
          {
            service,
            ...(url ? { url } : {}),
            uptimeSeconds: process.uptime(),
            errorsTotal: options.recentErrors.total,
            errors: options.recentErrors.list(),
            routes: options.metrics.routes(),
            operations: options.metrics.snapshot().operations,
            remotes: options.remotes(),
          },
        ],
        latencyBuckets: [...METRICS_BUCKETS],
      };
    },
    async retry(target, id) {
      if (target !== service) {
        throw AppError.notFound(
          `This process is service ${service}; ask the gateway for ${target}'s deliveries`,
          'service-not-here',
        );
      }
      return { ...(await bus.retry(id)), service };
    },
  };
}

/** consoleGraph is the part of the module graph the console draws: modules, call and event edges. */
export function consoleGraph(graph: ModuleGraph): ConsoleGraph {
  return {
    modules: graph.modules.map((m) => ({
      name: m.name,
      description: m.description,
      operations: m.operations.map((o) => o.name),
      publishes: m.publishes.map((e) => e.type),
      consumes: m.consumes,
    })),
    calls: graph.calls.map(({ from, to }) => ({ from, to })),
    events: graph.events.map(({ from, to, event }) => ({ from, to, event })),
  };
}
