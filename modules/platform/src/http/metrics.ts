// Prometheus metrics in the text exposition format, without a client library:
// request counts and latency histograms per route template, plus process gauges.
import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}

/** routeLabel is the matched route template (`/api/catalog/products/:id`), never the raw path. */
export function routeLabel(c: Context): string {
  const handler = matchedRoutes(c).at(c.req.routeIndex);
  return handler && handler.method !== 'ALL' ? handler.path : 'unmatched';
}

export class Metrics {
  readonly #series = new Map<string, Series>();
  readonly #info: string;

  constructor(info: { service: string; modules: string[] }) {
    this.#info = `seam_info{service="${escape(info.service)}",modules="${escape(info.modules.join(','))}"} 1`;
  }

  /** observe records one finished request. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = `method="${escape(method)}",route="${escape(route)}",status="${status}"`;
    let series = this.#series.get(labels);
    if (!series) {
      series = { labels, count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      this.#series.set(labels, series);
    }
    series.count += 1;
    series.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) series.buckets[i]! += 1;
  }

  /** render answers GET /metrics. */
  render(): string {
    const lines = [
      '# HELP seam_info Service name and hosted modules.',
      '# TYPE seam_info gauge',
      this.#info,
      '# HELP http_requests_total HTTP requests by method, route template and status.',
      '# TYPE http_requests_total counter',
    ];
    for (const s of this.#series.values())
      lines.push(`http_requests_total{${s.labels}} ${s.count}`);
    lines.push(
      '# HELP http_request_duration_seconds HTTP request latency.',
      '# TYPE http_request_duration_seconds histogram',
    );
    for (const s of this.#series.values()) {
      BUCKETS.forEach((le, i) =>
        lines.push(`http_request_duration_seconds_bucket{${s.labels},le="${le}"} ${s.buckets[i]}`),
      );
      lines.push(`http_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}`);
      lines.push(`http_request_duration_seconds_sum{${s.labels}} ${s.sum}`);
      lines.push(`http_request_duration_seconds_count{${s.labels}} ${s.count}`);
    }
    const memory = process.memoryUsage();
    lines.push(
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${memory.rss}`,
      '# HELP nodejs_heap_used_bytes V8 heap in use.',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${memory.heapUsed}`,
      '# HELP process_uptime_seconds Seconds since the process started.',
      '# TYPE process_uptime_seconds gauge',
      `process_uptime_seconds ${process.uptime()}`,
    );
    return `${lines.join('\n')}\n`;
  }
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
