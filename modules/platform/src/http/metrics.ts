// Prometheus metrics in the text exposition format, without a client library.
// METRICS is the one list of what a Seam process exports (names, types, labels,
// help): the renderer, docs/observability.md and the Grafana dashboard generator
// (apps/deploy) all read it. Histograms count into one bucket per observation
// and are made cumulative only when rendered, so observe() stays a map lookup
// and an increment on the hot path.
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

/** MetricDefinition describes one exported metric family. */
export interface MetricDefinition {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  labels: readonly string[];
}

/** METRICS lists every metric family a Seam server exports on GET /metrics. */
export const METRICS = {
  info: {
    name: 'seam_info',
    type: 'gauge',
    help: 'Service name and hosted modules (join on instance to label any series by service).',
    labels: ['service', 'modules'],
  },
  httpRequests: {
    name: 'http_requests_total',
    type: 'counter',
    help: 'HTTP requests by method, route template and status.',
    labels: ['method', 'route', 'status'],
  },
  httpDuration: {
    name: 'http_request_duration_seconds',
    type: 'histogram',
    help: 'HTTP request latency by method, route template and status, measured by the server.',
    labels: ['method', 'route', 'status'],
  },
  operationDuration: {
    name: 'seam_operation_duration_seconds',
    type: 'histogram',
    help: 'Module operation calls measured on the caller side (the typed client): module and operation called, outcome (ok or the error code) and transport (in-process or http).',
    labels: ['module', 'operation', 'outcome', 'transport'],
  },
  eventDeliveries: {
    name: 'seam_event_deliveries_total',
    type: 'counter',
    help: 'Event delivery attempts by the outbox dispatcher, by subscriber, event type and outcome (delivered, retrying, waiting: subscriber unreachable, failed: out of attempts).',
    labels: ['subscriber', 'event', 'outcome'],
  },
  outboxPending: {
    name: 'seam_outbox_pending',
    type: 'gauge',
    help: 'Pending event deliveries in the outbox of a hosted module, per subscriber (read at scrape time).',
    labels: ['module', 'subscriber'],
  },
  outboxFailed: {
    name: 'seam_outbox_failed',
    type: 'gauge',
    help: 'Event deliveries marked failed (out of attempts, waiting for a retry by an operator), per subscriber.',
    labels: ['module', 'subscriber'],
  },
  outboxLag: {
    name: 'seam_outbox_oldest_pending_seconds',
    type: 'gauge',
    help: 'Age of the oldest pending delivery per subscriber (0 when none is pending): the outbox lag.',
    labels: ['module', 'subscriber'],
  },
  databaseUp: {
    name: 'seam_database_up',
    type: 'gauge',
    help: 'Whether the scrape-time database read (the outbox) answered within its time limit.',
    labels: [],
  },
  databaseQueriesInFlight: {
    name: 'seam_database_queries_in_flight',
    type: 'gauge',
    help: 'Queries (and PGlite transactions) sent by this process and not answered yet.',
    labels: ['kind'],
  },
  databaseConnectionsMax: {
    name: 'seam_database_connections_max',
    type: 'gauge',
    help: 'Size of the connection pool (PGlite: 1, one embedded connection).',
    labels: ['kind'],
  },
  breakerState: {
    name: 'seam_breaker_state',
    type: 'gauge',
    help: 'Circuit breaker of each remote replica this process calls: 0 closed, 1 open (ejected), 2 half-open (cooldown over, a trial request may pass).',
    labels: ['target', 'replica'],
  },
  residentMemory: {
    name: 'process_resident_memory_bytes',
    type: 'gauge',
    help: 'Resident memory size in bytes.',
    labels: [],
  },
  heapUsed: {
    name: 'nodejs_heap_used_bytes',
    type: 'gauge',
    help: 'V8 heap in use.',
    labels: [],
  },
  uptime: {
    name: 'process_uptime_seconds',
    type: 'gauge',
    help: 'Seconds since the process started.',
    labels: [],
  },
} as const satisfies Record<string, MetricDefinition>;

/** REQUEST_BUCKETS bound HTTP request latencies (seconds). */
export const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** OPERATION_BUCKETS start lower: an in-process call takes microseconds. */
export const OPERATION_BUCKETS = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
  5, 10,
];

/** BreakerState is the gauge value of seam_breaker_state. */
export const BREAKER_STATE = { closed: 0, open: 1, 'half-open': 2 } as const;

/** DeliveryOutcome is the outcome label of seam_event_deliveries_total. */
export type DeliveryOutcome = 'delivered' | 'retrying' | 'waiting' | 'failed';

/** A Collector adds series read at scrape time (gauges of the database, the breakers). */
export type Collector = () => string | Promise<string>;

interface Histogram {
  /** labels is the rendered label set, escaped once when the series is created. */
  labels: string;
  count: number;
  sum: number;
  /** counts holds one count per bucket plus +Inf, not cumulative. */
  counts: number[];
}

interface RequestSeries extends Histogram {
  method: string;
  route: string;
  status: number;
}

interface OperationSeries extends Histogram {
  module: string;
  operation: string;
  outcome: string;
  transport: string;
}

/** SeriesSummary is one row of a snapshot: counts and latency over its window. */
export interface SeriesSummary {
  /** count of requests or calls in the window. */
  count: number;
  /** errors: responses with status ≥ 500 (routes), outcomes other than `ok` (operations). */
  errors: number;
  /** ratePerSecond is count over the window's length. */
  ratePerSecond: number;
  /** p50Seconds and p99Seconds are estimated from the histogram buckets, as Prometheus does; null without calls. */
  p50Seconds: number | null;
  p99Seconds: number | null;
  meanSeconds: number | null;
}

export interface RouteSummary extends SeriesSummary {
  method: string;
  route: string;
  /** clientErrors: responses with a 4xx status. */
  clientErrors: number;
}

export interface OperationSummary extends SeriesSummary {
  module: string;
  operation: string;
  transport: string;
}

/**
 * MetricsSnapshot summarises requests per route and calls per operation, for
 * the console page. Without a previous snapshot the window is the process's
 * life; given the previous one, only what happened since it.
 *
 * @example
 * let last = metrics.snapshot();
 * setInterval(() => {
 *   const now = metrics.snapshot(last); // rates, errors and latency over the last interval
 *   last = now;
 *   show(now.routes, now.operations);
 * }, 5_000);
 */
export interface MetricsSnapshot {
  /** takenAt is when the snapshot was taken (epoch ms). */
  takenAt: number;
  /** windowSeconds is what counts and rates cover. */
  windowSeconds: number;
  /** routes are aggregated over status, sorted by method and route. */
  routes: RouteSummary[];
  /** operations are aggregated over outcome, sorted by module, operation and transport. */
  operations: OperationSummary[];
  /** cumulative is the raw state the next snapshot subtracts; not enumerable, not for display. */
  readonly cumulative: ReadonlyMap<
    string,
    Readonly<Histogram> & { errors: number; clientErrors: number }
  >;
}

/** routeLabel is the matched route template (`/api/catalog/products/:id`), never the raw path. */
export function routeLabel(c: Context): string {
  const handler = matchedRoutes(c).at(c.req.routeIndex);
  return handler && handler.method !== 'ALL' ? handler.path : 'unmatched';
}

const STARTED_AT = Date.now() - process.uptime() * 1000;

export class Metrics {
  readonly #requests = new Map<string, RequestSeries>();
  readonly #operations = new Map<string, OperationSeries>();
  readonly #deliveries = new Map<string, { labels: string; count: number }>();
  readonly #collectors: Collector[] = [];
  readonly #info: string;

  constructor(info: { service: string; modules: string[] }) {
    this.#info = `${METRICS.info.name}{service="${escape(info.service)}",modules="${escape(info.modules.join(','))}"} 1`;
  }

  /** observe records one finished request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.#requests.get(key);
    if (!series) {
      const labels = `method="${escape(method)}",route="${escape(route)}",status="${status}"`;
      series = { ...emptyHistogram(labels, REQUEST_BUCKETS), method, route, status };
      this.#requests.set(key, series);
    }
    record(series, REQUEST_BUCKETS, seconds);
  }

  /**
   * observeCall records one operation call as its caller saw it; `outcome` is
   * `ok` or the error's code (a bounded set: the codes of the AppError catalogue).
   */
  observeCall(
    module: string,
    operation: string,
    transport: string,
    outcome: string,
    seconds: number,
  ): void {
    record(this.#operation(module, operation, transport, outcome), OPERATION_BUCKETS, seconds);
  }

  /** recorder binds observeCall to one series, for a caller that records it often. */
  recorder(
    module: string,
    operation: string,
    transport: string,
    outcome: string,
  ): (seconds: number) => void {
    const series = this.#operation(module, operation, transport, outcome);
    return (seconds) => record(series, OPERATION_BUCKETS, seconds);
  }

  #operation(module: string, operation: string, transport: string, outcome: string) {
    const key = `${module}\0${operation}\0${transport}\0${outcome}`;
    let series = this.#operations.get(key);
    if (!series) {
      const labels = `module="${escape(module)}",operation="${escape(operation)}",outcome="${escape(outcome)}",transport="${escape(transport)}"`;
      series = {
        ...emptyHistogram(labels, OPERATION_BUCKETS),
        module,
        operation,
        outcome,
        transport,
      };
      this.#operations.set(key, series);
    }
    return series;
  }

  /** observeDelivery counts one delivery attempt of the outbox dispatcher. */
  observeDelivery(subscriber: string, event: string, outcome: DeliveryOutcome): void {
    const key = `${subscriber}\0${event}\0${outcome}`;
    let series = this.#deliveries.get(key);
    if (!series) {
      const labels = `subscriber="${escape(subscriber)}",event="${escape(event)}",outcome="${outcome}"`;
      series = { labels, count: 0 };
      this.#deliveries.set(key, series);
    }
    series.count += 1;
  }

  /** collect adds series read at every scrape; a collector must bound its own time. */
  collect(collector: Collector): void {
    this.#collectors.push(collector);
  }

  /** render answers GET /metrics: the recorded series, then every collector's. */
  async render(): Promise<string> {
    const lines = [...header(METRICS.info), this.#info, ...header(METRICS.httpRequests)];
    for (const s of this.#requests.values())
      lines.push(`${METRICS.httpRequests.name}{${s.labels}} ${s.count}`);
    lines.push(...header(METRICS.httpDuration));
    for (const s of this.#requests.values()) {
      renderHistogram(lines, METRICS.httpDuration.name, s, REQUEST_BUCKETS);
    }
    lines.push(...header(METRICS.operationDuration));
    for (const s of this.#operations.values()) {
      renderHistogram(lines, METRICS.operationDuration.name, s, OPERATION_BUCKETS);
    }
    lines.push(...header(METRICS.eventDeliveries));
    for (const s of this.#deliveries.values()) {
      lines.push(`${METRICS.eventDeliveries.name}{${s.labels}} ${s.count}`);
    }
    const memory = process.memoryUsage();
    lines.push(
      ...gauge(METRICS.residentMemory, [[{}, memory.rss]]),
      ...gauge(METRICS.heapUsed, [[{}, memory.heapUsed]]),
      ...gauge(METRICS.uptime, [[{}, process.uptime()]]),
    );
    const collected = await Promise.all(this.#collectors.map((collector) => collector()));
    return `${lines.join('\n')}\n${collected.join('')}`;
  }

  /** routes returns each method/route/status series, buckets cumulative (the operator console reads it). */
  routes(): RouteSeries[] {
    return [...this.#requests.values()].map(({ method, route, status, count, sum, counts }) => {
      let within = 0;
      const buckets = REQUEST_BUCKETS.map((_, i) => (within += counts[i]!));
      return { method, route, status, count, sum, buckets };
    });
  }

  /** snapshot summarises routes and operations; see MetricsSnapshot. */
  snapshot(previous?: MetricsSnapshot): MetricsSnapshot {
    const takenAt = Date.now();
    const since = previous?.takenAt ?? STARTED_AT;
    const windowSeconds = Math.max((takenAt - since) / 1000, 1e-3);
    const cumulative = new Map<string, Histogram & { errors: number; clientErrors: number }>();
    const add = (
      key: string,
      s: Histogram,
      errors: number,
      clientErrors: number,
    ): Histogram & { errors: number; clientErrors: number } => {
      let total = cumulative.get(key);
      if (!total) {
        total = {
          labels: '',
          count: 0,
          sum: 0,
          counts: s.counts.map(() => 0),
          errors: 0,
          clientErrors: 0,
        };
        cumulative.set(key, total);
      }
      total.count += s.count;
      total.sum += s.sum;
      total.errors += errors;
      total.clientErrors += clientErrors;
      for (let i = 0; i < s.counts.length; i++) total.counts[i]! += s.counts[i]!;
      return total;
    };
    const routes = new Map<string, { method: string; route: string }>();
    for (const s of this.#requests.values()) {
      const key = `route\0${s.method}\0${s.route}`;
      routes.set(key, { method: s.method, route: s.route });
      add(key, s, s.status >= 500 ? s.count : 0, s.status >= 400 && s.status < 500 ? s.count : 0);
    }
    const operations = new Map<string, { module: string; operation: string; transport: string }>();
    for (const s of this.#operations.values()) {
      const key = `operation\0${s.module}\0${s.operation}\0${s.transport}`;
      operations.set(key, { module: s.module, operation: s.operation, transport: s.transport });
      add(key, s, s.outcome === 'ok' ? 0 : s.count, 0);
    }
    const summary = (key: string, buckets: readonly number[]) => {
      const now = cumulative.get(key)!;
      const before = previous?.cumulative.get(key);
      const counts = now.counts.map((c, i) => c - (before?.counts[i] ?? 0));
      const count = now.count - (before?.count ?? 0);
      const sum = now.sum - (before?.sum ?? 0);
      return {
        count,
        errors: now.errors - (before?.errors ?? 0),
        clientErrors: now.clientErrors - (before?.clientErrors ?? 0),
        ratePerSecond: count / windowSeconds,
        p50Seconds: quantile(0.5, counts, buckets),
        p99Seconds: quantile(0.99, counts, buckets),
        meanSeconds: count > 0 ? sum / count : null,
      };
    };
    const byKey = (a: [string, unknown], b: [string, unknown]) => a[0].localeCompare(b[0]);
    const snapshot = {
      takenAt,
      windowSeconds,
      routes: [...routes].sort(byKey).map(([key, route]) => ({
        ...route,
        ...summary(key, REQUEST_BUCKETS),
      })),
      operations: [...operations].sort(byKey).map(([key, operation]) => {
        const { count, errors, ratePerSecond, p50Seconds, p99Seconds, meanSeconds } = summary(
          key,
          OPERATION_BUCKETS,
        );
        return { ...operation, count, errors, ratePerSecond, p50Seconds, p99Seconds, meanSeconds };
      }),
    };
    // Not enumerable: a snapshot sent as JSON carries the summaries only.
    return Object.defineProperty(snapshot, 'cumulative', {
      value: cumulative,
      enumerable: false,
    }) as MetricsSnapshot;
  }
}

/** Labels of one gauge sample. */
export type Labels = Record<string, string>;

/**
 * gauge renders a gauge family: its HELP and TYPE lines and one line per sample.
 *
 * @example
 * gauge(METRICS.databaseUp, [[{}, 1]]); // ['# HELP seam_database_up …', '# TYPE …', 'seam_database_up 1']
 */
export function gauge(definition: MetricDefinition, samples: [Labels, number][]): string[] {
  const lines = header(definition);
  for (const [labels, value] of samples) {
    const names = Object.keys(labels);
    const rendered =
      names.length === 0
        ? ''
        : `{${names.map((name) => `${name}="${escape(labels[name]!)}"`).join(',')}}`;
    lines.push(`${definition.name}${rendered} ${formatNumber(value)}`);
  }
  return lines;
}

/**
 * quantile estimates the q-quantile of per-bucket counts (the last one +Inf) the
 * way Prometheus's histogram_quantile does: linear within the bucket; an
 * answer in the +Inf bucket is the highest finite bound.
 */
export function quantile(
  q: number,
  counts: readonly number[],
  buckets: readonly number[],
): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const inBucket = counts[i]!;
    if (below + inBucket >= rank && inBucket > 0) {
      if (i >= buckets.length) return buckets.at(-1)!;
      const lower = i === 0 ? 0 : buckets[i - 1]!;
      const upper = buckets[i]!;
      return lower + ((upper - lower) * (rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return buckets.at(-1)!;
}

function emptyHistogram(labels: string, buckets: readonly number[]): Histogram {
  return { labels, count: 0, sum: 0, counts: new Array<number>(buckets.length + 1).fill(0) };
}

function record(series: Histogram, buckets: readonly number[], seconds: number): void {
  series.count += 1;
  series.sum += seconds;
  let i = 0;
  while (i < buckets.length && seconds > buckets[i]!) i++;
  series.counts[i]! += 1;
}

function renderHistogram(
  lines: string[],
  name: string,
  series: Histogram,
  buckets: readonly number[],
): void {
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i++) {
    cumulative += series.counts[i]!;
    lines.push(`${name}_bucket{${series.labels},le="${buckets[i]}"} ${cumulative}`);
  }
  lines.push(`${name}_bucket{${series.labels},le="+Inf"} ${series.count}`);
  lines.push(`${name}_sum{${series.labels}} ${formatNumber(series.sum)}`);
  lines.push(`${name}_count{${series.labels}} ${series.count}`);
}

function header(definition: MetricDefinition): string[] {
  return [
    `# HELP ${definition.name} ${definition.help}`,
    `# TYPE ${definition.name} ${definition.type}`,
  ];
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** BreakerView is what breakerGauges reads of a remote service's replicas (a ReplicaSet). */
export interface BreakerView {
  readonly service: string;
  readonly replicas: readonly { url: string; state: string; ejectedUntil: number }[];
}

/**
 * breakerGauges renders seam_breaker_state for the replicas of every remote
 * service: an ejected replica is open until its cooldown ends, then half-open
 * (the next request, or the gateway's probe, decides).
 */
export function breakerGauges(sets: readonly BreakerView[], now = Date.now()): string[] {
  const samples: [Labels, number][] = [];
  for (const set of sets) {
    for (const replica of set.replicas) {
      const state =
        replica.state !== 'ejected'
          ? BREAKER_STATE.closed
          : replica.ejectedUntil > now
            ? BREAKER_STATE.open
            : BREAKER_STATE['half-open'];
      samples.push([{ target: set.service, replica: replica.url }, state]);
    }
  }
  return gauge(METRICS.breakerState, samples);
}

/** RouteSeries is one method/route/status series: its count, latency sum (s) and cumulative bucket counts (bounds: METRICS_BUCKETS). */
export interface RouteSeries {
  method: string;
  route: string;
  status: number;
  count: number;
  sum: number;
  buckets: number[];
}

/** METRICS_BUCKETS are the request latency histogram's upper bounds in seconds. */
export const METRICS_BUCKETS: readonly number[] = REQUEST_BUCKETS;
