// The Grafana dashboard of a Seam deployment, generated from the platform's
// metric definitions (METRICS), so a renamed metric cannot leave a panel
// querying nothing: `npm run manifests` writes docker/grafana/dashboards/seam.json,
// and a test compares every query with what a real server exports.
import { METRICS } from '@seam/platform';

/** DASHBOARD_PATH is where the dashboard is written, relative to the repository. */
export const DASHBOARD_PATH = 'docker/grafana/dashboards/seam.json';
/** DATASOURCE_UID is the provisioned Prometheus data source the panels query. */
export const DATASOURCE_UID = 'seam-prometheus';

const DATASOURCE = { type: 'prometheus', uid: DATASOURCE_UID };
const RATE = '[$__rate_interval]';
/** SERVICE joins a series with seam_info to filter it by the dashboard's service variable. */
const BY_SERVICE = `* on (instance, job) group_left (service) ${METRICS.info.name}{service=~"$service"}`;

interface Target {
  expr: string;
  legendFormat: string;
}

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  /** mappings turn gauge values into words (breaker states). */
  mappings?: unknown[];
}

const m = METRICS;
const bucket = (name: string) => `${name}_bucket`;

/** ROWS are the dashboard's sections, each a list of panels, two per line. */
const ROWS: { title: string; panels: PanelSpec[] }[] = [
  {
    title: 'HTTP requests',
    panels: [
      {
        title: 'Request rate per route',
        description: 'Requests per second by route template, all statuses.',
        unit: 'reqps',
        targets: [
          {
            expr: `sum by (route) (rate(${m.httpRequests.name}${RATE}) ${BY_SERVICE})`,
            legendFormat: '{{route}}',
          },
        ],
      },
      {
        title: 'Errors per route (5xx)',
        description: 'Server errors per second by route template and status.',
        unit: 'reqps',
        targets: [
          {
            expr: `sum by (route, status) (rate(${m.httpRequests.name}{status=~"5.."}${RATE}) ${BY_SERVICE})`,
            legendFormat: '{{route}} {{status}}',
          },
        ],
      },
      {
        title: 'Latency p50 per route',
        description: 'Median request latency measured by the server.',
        unit: 's',
        targets: [quantileTarget(0.5, bucket(m.httpDuration.name), ['route'], '{{route}}')],
      },
      {
        title: 'Latency p99 per route',
        description: '99th percentile request latency measured by the server.',
        unit: 's',
        targets: [quantileTarget(0.99, bucket(m.httpDuration.name), ['route'], '{{route}}')],
      },
    ],
  },
  {
    title: 'Operations (typed calls between modules, caller side)',
    panels: [
      {
        title: 'Operation latency p99 per operation and transport',
        description: 'In-process calls take microseconds; http calls cross a service boundary.',
        unit: 's',
        targets: [
          quantileTarget(
            0.99,
            bucket(m.operationDuration.name),
            ['module', 'operation', 'transport'],
            '{{module}}.{{operation}} ({{transport}})',
          ),
        ],
      },
      {
        title: 'Operation calls by outcome',
        description: 'Calls per second; an outcome other than ok is the error code.',
        unit: 'ops',
        targets: [
          {
            expr: `sum by (module, operation, outcome) (rate(${m.operationDuration.name}_count${RATE}) ${BY_SERVICE})`,
            legendFormat: '{{module}}.{{operation}} {{outcome}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Events (outbox)',
    panels: [
      {
        title: 'Pending deliveries per subscriber',
        description: 'Events published and not yet handled by their subscriber.',
        unit: 'short',
        targets: [outboxTarget(m.outboxPending.name)],
      },
      {
        title: 'Failed deliveries per subscriber',
        description:
          'Out of attempts; retried from the console or POST /api/events/deliveries/{id}/retry.',
        unit: 'short',
        targets: [outboxTarget(m.outboxFailed.name)],
      },
      {
        title: 'Outbox lag (oldest pending) per subscriber',
        description: 'How long the oldest pending delivery has waited.',
        unit: 's',
        targets: [outboxTarget(m.outboxLag.name)],
      },
      {
        title: 'Delivery attempts by outcome',
        description: 'delivered, retrying, waiting (subscriber unreachable), failed (for good).',
        unit: 'ops',
        targets: [
          {
            expr: `sum by (subscriber, event, outcome) (rate(${m.eventDeliveries.name}${RATE}) ${BY_SERVICE})`,
            legendFormat: '{{subscriber}} {{event}} {{outcome}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Remote calls and database',
    panels: [
      {
        title: 'Circuit breakers per remote replica',
        description: '0 closed, 1 open (ejected), 2 half-open, as seen by each calling service.',
        unit: 'none',
        targets: [
          {
            expr: `max by (service, target, replica) (${m.breakerState.name} ${BY_SERVICE})`,
            legendFormat: '{{service}} → {{target}} {{replica}}',
          },
        ],
        mappings: [
          {
            type: 'value',
            options: {
              '0': { text: 'closed', color: 'green' },
              '1': { text: 'open', color: 'red' },
              '2': { text: 'half-open', color: 'orange' },
            },
          },
        ],
      },
      {
        title: 'Database pool',
        description:
          'Queries in flight against the pool size per process; database up is the scrape-time outbox read answering in time.',
        unit: 'short',
        targets: [
          {
            expr: `sum by (service, kind) (${m.databaseQueriesInFlight.name} ${BY_SERVICE})`,
            legendFormat: '{{service}} in flight ({{kind}})',
          },
          {
            expr: `max by (service, kind) (${m.databaseConnectionsMax.name} ${BY_SERVICE})`,
            legendFormat: '{{service}} max connections ({{kind}})',
          },
          {
            expr: `min by (service) (${m.databaseUp.name} ${BY_SERVICE})`,
            legendFormat: '{{service}} database up',
          },
        ],
      },
    ],
  },
  {
    title: 'Processes',
    panels: [
      {
        title: 'Resident memory (RSS)',
        description: 'Per process.',
        unit: 'bytes',
        targets: [
          {
            expr: `${m.residentMemory.name} ${BY_SERVICE}`,
            legendFormat: '{{service}} {{instance}}',
          },
        ],
      },
      {
        title: 'V8 heap used',
        description: 'Per process.',
        unit: 'bytes',
        targets: [
          { expr: `${m.heapUsed.name} ${BY_SERVICE}`, legendFormat: '{{service}} {{instance}}' },
        ],
      },
    ],
  },
];

function quantileTarget(q: number, name: string, by: string[], legendFormat: string): Target {
  return {
    expr: `histogram_quantile(${q}, sum by (${[...by, 'le'].join(', ')}) (rate(${name}${RATE}) ${BY_SERVICE}))`,
    legendFormat,
  };
}

/** outboxTarget: every replica of a service reads the same tables, so the maximum is the value. */
function outboxTarget(name: string): Target {
  return {
    expr: `max by (module, subscriber) (${name} ${BY_SERVICE})`,
    legendFormat: '{{module}} → {{subscriber}}',
  };
}

/**
 * seamDashboard builds the dashboard (Grafana's JSON model, schemaVersion 39).
 *
 * @example
 * const dashboard = seamDashboard();
 * dashboard.panels.filter((p) => p.type === 'timeseries').flatMap((p) => p.targets.map((t) => t.expr));
 */
export function seamDashboard() {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of ROWS) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    row.panels.forEach((spec, index) => {
      panels.push({
        id: id++,
        type: 'timeseries',
        title: spec.title,
        description: spec.description,
        datasource: DATASOURCE,
        gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: y + Math.floor(index / 2) * 8 },
        fieldConfig: {
          defaults: { unit: spec.unit, mappings: spec.mappings ?? [] },
          overrides: [],
        },
        options: { legend: { displayMode: 'list', placement: 'bottom', showLegend: true } },
        targets: spec.targets.map((target, i) => ({
          refId: String.fromCharCode(65 + i),
          datasource: DATASOURCE,
          expr: target.expr,
          legendFormat: target.legendFormat,
        })),
      });
    });
    y += Math.ceil(row.panels.length / 2) * 8;
  }
  return {
    uid: 'seam',
    title: 'Seam',
    description: `Generated by \`npm run manifests\` from the platform's metric definitions; do not edit.`,
    tags: ['seam'],
    editable: false,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '30s',
    templating: {
      list: [
        {
          name: 'service',
          label: 'Service',
          type: 'query',
          datasource: DATASOURCE,
          query: { query: `label_values(${METRICS.info.name}, service)`, refId: 'service' },
          definition: `label_values(${METRICS.info.name}, service)`,
          includeAll: true,
          multi: true,
          allValue: '.*',
          current: { text: 'All', value: '$__all' },
          refresh: 2,
        },
      ],
    },
    panels,
  };
}

/** dashboardQueries lists every PromQL expression of a dashboard, with its panel's title. */
export function dashboardQueries(dashboard: {
  panels: Record<string, unknown>[];
  templating: { list: { definition: string }[] };
}): { title: string; expr: string }[] {
  const queries = dashboard.panels.flatMap((panel) =>
    ((panel.targets as { expr: string }[] | undefined) ?? []).map((target) => ({
      title: String(panel.title),
      expr: target.expr,
    })),
  );
  for (const variable of dashboard.templating.list) {
    // label_values(<series selector>, <label>): the selector is the query.
    const selector = /^label_values\((.+),\s*\w+\)$/.exec(variable.definition)?.[1];
    queries.push({ title: 'variable', expr: selector ?? variable.definition });
  }
  return queries;
}
