// The operator console on the gateway: the whole topology in one answer. It asks
// every replica of every service for its own console state (passing the admin's
// bearer token on), and adds the gateway's view — each replica's breaker — and
// the gateway's own errors and route metrics. A replica that does not answer is
// shown as such; a retry goes to the service whose outbox holds the delivery.
import {
  AppError,
  classify,
  readJson,
  send,
  mergeGraphs,
  subscriberCounts,
  METRICS_BUCKETS,
  type ConsoleDelivery,
  type ConsoleProcess,
  type ConsoleService,
  type ConsoleSource,
  type ConsoleState,
  type Metrics,
  type RecentErrors,
  type Topology,
} from '@seam/platform';
import type { ReplicaPool } from './replicas.js';

export interface GatewayConsoleOptions {
  topology: Topology;
  pool: ReplicaPool;
  metrics: Metrics;
  recentErrors: RecentErrors;
  /** timeoutMs bounds each replica's answer. */
  timeoutMs: number;
}

const STATE_PATH = '/api/console/state';

type Answer = { url: string; state: ConsoleState } | { url: string; error: AppError };

/** gatewayConsole gathers the console state of every replica behind the gateway. */
export function gatewayConsole(options: GatewayConsoleOptions): ConsoleSource {
  const { topology, pool } = options;

  const ask = async (url: string, authorization: string): Promise<Answer> => {
    try {
      const result = await send(url, {
        method: 'GET',
        path: STATE_PATH,
        headers: { accept: 'application/json', authorization },
        timeoutMs: options.timeoutMs,
      });
      const body = await readJson(result);
      if (result.statusCode === 200) return { url, state: body as ConsoleState };
      return { url, error: AppError.fromProblem(body, 502) };
    } catch (error) {
      return {
        url,
        error: AppError.unavailable(`${url} did not answer: ${classify(error).reason}`),
      };
    }
  };

  return {
    async state(authorization) {
      const breakers = pool.status();
      const names = Object.keys(topology.services);
      const answers = await Promise.all(
        names.map((name) =>
          Promise.all(topology.services[name]!.replicas.map((url) => ask(url, authorization))),
        ),
      );
      // A token refused by the services is refused here too (the gateway checked it already).
      for (const answer of answers.flat()) {
        if ('error' in answer && (answer.error.status === 401 || answer.error.status === 403)) {
          throw answer.error;
        }
      }

      const services: ConsoleService[] = [];
      const processes: ConsoleProcess[] = [
        {
          service: 'gateway',
          uptimeSeconds: process.uptime(),
          errorsTotal: options.recentErrors.total,
          errors: options.recentErrors.list(),
          routes: options.metrics.routes(),
          operations: options.metrics.snapshot().operations,
          remotes: Object.entries(breakers).map(([service, status]) => ({
            module: service,
            replicas: status.replicas,
          })),
        },
      ];
      const deliveries: ConsoleDelivery[] = [];
      const graphs: ConsoleState['graph'][] = [];
      names.forEach((name, i) => {
        const replicas = answers[i]!;
        const states = breakers[name]?.replicas ?? [];
        services.push({
          name,
          modules: [...topology.services[name]!.modules],
          replicas: replicas.map((answer, r) => {
            const breaker = states[r]?.state;
            if ('error' in answer) {
              return {
                url: answer.url,
                ...(breaker ? { breaker } : {}),
                ready: false,
                health: {},
                error: answer.error.detail,
              };
            }
            const own = answer.state.services[0]?.replicas[0];
            return {
              url: answer.url,
              ...(breaker ? { breaker } : {}),
              ready: own?.ready ?? false,
              health: own?.health ?? {},
            };
          }),
        });
        // Replicas of a service share its database: one answer has the whole outbox.
        const first = replicas.find((a): a is { url: string; state: ConsoleState } => 'state' in a);
        if (first) {
          graphs.push(first.state.graph);
          deliveries.push(...first.state.outbox.deliveries);
        }
        for (const answer of replicas) {
          if ('state' in answer) {
            for (const p of answer.state.processes) processes.push({ ...p, url: answer.url });
          }
        }
      });
      deliveries.sort((a, b) => b.occurredAt.localeCompare(a.occurredAt));
      return {
        at: new Date().toISOString(),
        answeredBy: 'gateway',
        services,
        graph: mergeGraphs(graphs),
        outbox: { subscribers: subscriberCounts(deliveries), deliveries },
        processes,
        latencyBuckets: [...METRICS_BUCKETS],
      };
    },

    async retry(service, id, authorization) {
      if (!topology.services[service]) {
        throw AppError.notFound(`No service ${service} in this topology`, 'service-not-found');
      }
      const path = `/api/console/services/${service}/deliveries/${id}/retry`;
      let last: AppError | undefined;
      for (const replica of pool.candidates(service)) {
        try {
          const result = await send(replica.url, {
            method: 'POST',
            path,
            headers: { accept: 'application/json', authorization },
            timeoutMs: options.timeoutMs,
          });
          const body = await readJson(result);
          if (result.statusCode === 200) return body as ConsoleDelivery;
          throw AppError.fromProblem(body, 502);
        } catch (error) {
          if (error instanceof AppError) throw error;
          // Not sent (or no answer): the retry is idempotent, so another replica may take it.
          last = AppError.unavailable(
            `${replica.url} did not answer: ${classify(error).reason}`,
            'module-unreachable',
          );
        }
      }
      throw (
        last ??
        AppError.unavailable(`No replica of ${service} takes traffic now`, 'module-unavailable')
      );
    },
  };
}
