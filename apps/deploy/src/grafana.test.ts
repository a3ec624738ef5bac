import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import cart from '@seam/cart';
import catalog from '@seam/catalog';
import inventory from '@seam/inventory';
import notifications from '@seam/notifications';
import orders from '@seam/orders';
import payments from '@seam/payments';
import { METRICS } from '@seam/platform';
import { REPO_ROOT } from '@seam/platform/processes';
import { parseExposition, startTestHost, type TestHost } from '@seam/platform/testing';
import users from '@seam/users';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries, DASHBOARD_PATH, DATASOURCE_UID, seamDashboard } from './grafana.js';
import { renderManifests } from './manifests.js';
import { observabilityMismatches, PrometheusConfigSchema } from './observability.js';
import { loadContainerTopology } from './topologies.js';

/** PromQL words that are not metric names: aggregations, functions are followed by "(". */
const KEYWORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'group',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/**
 * metricNames reads the metric names a PromQL expression selects: what is
 * left once label matchers, ranges, strings, label lists (by, on, group_left…),
 * numbers and function names are taken out.
 */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice(match.index + match[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(match[0])) continue;
    names.push(match[0]);
  }
  return names;
}

describe('metricNames', () => {
  it('finds the selected metrics of a joined histogram query and nothing else', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{status=~"5.."}[5m]) * on (instance, job) group_left (service) seam_info{service=~"$service"}))',
      ),
    ).toEqual(['http_request_duration_seconds_bucket', 'seam_info']);
  });
});

describe('the Grafana dashboard', () => {
  let t: TestHost;
  let exported: Set<string>;

  beforeAll(async () => {
    t = await startTestHost({
      modules: [users, catalog, inventory, cart, payments, orders, notifications],
      listen: true,
    });
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const { families } = parseExposition(text);
    exported = new Set(
      [...families].flatMap(([name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
      ),
    );
  });
  afterAll(() => t?.close());

  it('is committed exactly as `npm run manifests` generates it', async () => {
    const committed = await readFile(join(REPO_ROOT, DASHBOARD_PATH), 'utf8');
    const generated = (await renderManifests(REPO_ROOT)).get(DASHBOARD_PATH);
    expect(committed, `${DASHBOARD_PATH} is stale: run \`npm run manifests\``).toBe(generated);
    expect(JSON.parse(committed)).toEqual(seamDashboard());
  });

  it('queries only metrics a real monolith exports on /metrics', () => {
    const queries = dashboardQueries(seamDashboard());
    expect(queries.length).toBeGreaterThan(15);
    const unknown = queries.flatMap(({ title, expr }) => {
      const names = metricNames(expr);
      if (names.length === 0) return [`${title}: selects no metric (${expr})`];
      return names.filter((name) => !exported.has(name)).map((name) => `${title}: ${name}`);
    });
    expect(unknown).toEqual([]);
  });

  it('has a panel for every family of METRICS but seam_info', () => {
    const used = new Set(dashboardQueries(seamDashboard()).flatMap((q) => metricNames(q.expr)));
    const missing = Object.values(METRICS)
      .filter((m) => m.name !== METRICS.info.name && m.name !== METRICS.uptime.name)
      .filter((m) => ![m.name, `${m.name}_bucket`, `${m.name}_count`].some((n) => used.has(n)))
      .map((m) => m.name);
    expect(missing).toEqual([]);
  });

  it('lays out panels on the 24-column grid, each querying the provisioned data source', () => {
    const { panels } = seamDashboard();
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      const grid = panel.gridPos as { x: number; w: number; h: number };
      expect(grid.x + grid.w).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: DATASOURCE_UID });
      expect((panel.targets as unknown[]).length).toBeGreaterThan(0);
    }
  });
});

describe('the observability profile', () => {
  it('scrapes the gateway and every service of each topology', async () => {
    for (const name of ['monolith', 'split', 'grouped'] as const) {
      const container = await loadContainerTopology(REPO_ROOT, name);
      const compose = parse(
        await readFile(join(REPO_ROOT, `docker/compose/${name}.postgres.yaml`), 'utf8'),
      );
      expect(observabilityMismatches(compose, container, { root: REPO_ROOT })).toEqual([]);
      const config = PrometheusConfigSchema.parse(
        parse(compose.configs['prometheus-config'].content),
      );
      expect(config.scrape_configs.map((job) => job.job_name).sort()).toEqual(
        ['gateway', ...Object.keys(container.topology.services)].sort(),
      );
    }
  });

  it('reports a service Prometheus misses, a misspelt key and a profile left out', async () => {
    const container = await loadContainerTopology(REPO_ROOT, 'split');
    const compose = parse(await readFile(join(REPO_ROOT, 'docker/compose/split.yaml'), 'utf8'));
    const config = parse(compose.configs['prometheus-config'].content);
    config.scrape_configs = config.scrape_configs.filter(
      (job: { job_name: string }) => job.job_name !== 'orders',
    );
    config.global.scrape_intreval = '15s';
    compose.configs['prometheus-config'].content = JSON.stringify(config);
    delete compose.services.grafana.profiles;

    expect(observabilityMismatches(compose, container, { root: REPO_ROOT })).toEqual([
      'grafana must run only with the observability profile',
      'prometheus-config: global: Unrecognized key: "scrape_intreval"',
    ]);

    delete config.global.scrape_intreval;
    compose.configs['prometheus-config'].content = JSON.stringify(config);
    expect(observabilityMismatches(compose, container, { root: REPO_ROOT })).toEqual([
      'grafana must run only with the observability profile',
      'Prometheus does not scrape orders',
    ]);
  });
});
