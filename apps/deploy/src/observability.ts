// The Compose profile `observability`: Prometheus scraping the gateway and every
// service of the topology (each replica, found by DNS), and Grafana provisioned
// with that Prometheus and the Seam dashboard. Both start only with
// `docker compose --profile observability up`; Grafana is published on loopback.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from '@seam/platform';
import { parse, stringify } from 'yaml';
import { DASHBOARD_PATH, DATASOURCE_UID } from './grafana.js';
import { CONTAINER_PORT, GATEWAY_NAME, type ContainerTopology } from './topologies.js';

export const OBSERVABILITY_PROFILE = 'observability';
export const PROMETHEUS_NAME = 'prometheus';
export const GRAFANA_NAME = 'grafana';
/** Images pinned to a release (Prometheus 3.5 is a long-term support line). */
export const PROMETHEUS_IMAGE = 'prom/prometheus:v3.5.0';
export const GRAFANA_IMAGE = 'grafana/grafana:12.1.1';
export const PROMETHEUS_PORT = 9090;
/** GRAFANA_PORT is published on 127.0.0.1 only: dashboards are for whoever runs the stack. */
export const GRAFANA_PORT = `127.0.0.1:\${SEAM_GRAFANA_PORT:-3001}:3000`;
export const SCRAPE_INTERVAL = '15s';

type Yaml = Record<string, unknown>;

/**
 * prometheusConfig lists a scrape job per topology service (named after it,
 * every replica found through the service's DNS name) and one for the gateway.
 *
 * @example
 * prometheusConfig(container).scrape_configs.map((job) => job.job_name); // ['gateway', 'users', 'catalog', …]
 */
export function prometheusConfig(container: ContainerTopology) {
  const services = Object.keys(container.topology.services);
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    scrape_configs: [
      {
        job_name: GATEWAY_NAME,
        metrics_path: '/metrics',
        static_configs: [{ targets: [`${GATEWAY_NAME}:${CONTAINER_PORT}`] }],
      },
      ...services.map((service) => ({
        job_name: service,
        metrics_path: '/metrics',
        // An A query returns every container of a scaled Compose service: each replica is scraped.
        dns_sd_configs: [
          { names: [service], type: 'A', port: CONTAINER_PORT, refresh_interval: '30s' },
        ],
      })),
    ],
  };
}

/** observabilityServices adds Prometheus and Grafana (profile `observability`) to a Compose document. */
export function addObservability(document: Yaml, container: ContainerTopology): void {
  const services = document.services as Yaml;
  services[PROMETHEUS_NAME] = {
    image: PROMETHEUS_IMAGE,
    profiles: [OBSERVABILITY_PROFILE],
    command: [
      '--config.file=/etc/prometheus/prometheus.yml',
      '--storage.tsdb.path=/prometheus',
      '--storage.tsdb.retention.time=7d',
    ],
    configs: [{ source: 'prometheus-config', target: '/etc/prometheus/prometheus.yml' }],
    volumes: ['prometheus-data:/prometheus'],
    expose: [String(PROMETHEUS_PORT)],
    restart: 'unless-stopped',
  };
  services[GRAFANA_NAME] = {
    image: GRAFANA_IMAGE,
    profiles: [OBSERVABILITY_PROFILE],
    environment: {
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_SECURITY_ADMIN_PASSWORD: '${GRAFANA_ADMIN_PASSWORD:-admin}',
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: '/etc/grafana/dashboards/seam.json',
    },
    configs: [
      { source: 'grafana-datasource', target: '/etc/grafana/provisioning/datasources/seam.yaml' },
      { source: 'grafana-dashboards', target: '/etc/grafana/provisioning/dashboards/seam.yaml' },
      { source: 'grafana-dashboard-seam', target: '/etc/grafana/dashboards/seam.json' },
    ],
    volumes: ['grafana-data:/var/lib/grafana'],
    ports: [GRAFANA_PORT],
    depends_on: { [PROMETHEUS_NAME]: { condition: 'service_started' } },
    restart: 'unless-stopped',
  };
  const configs = (document.configs ?? {}) as Yaml;
  configs['prometheus-config'] = { content: yamlText(prometheusConfig(container)) };
  configs['grafana-datasource'] = { content: yamlText(grafanaDatasource()) };
  configs['grafana-dashboards'] = { content: yamlText(grafanaDashboardProvider()) };
  // Compose resolves a config file relative to the Compose file (docker/compose/).
  configs['grafana-dashboard-seam'] = { file: `../${DASHBOARD_PATH.slice('docker/'.length)}` };
  document.configs = configs;
  const volumes = (document.volumes ?? {}) as Yaml;
  volumes['prometheus-data'] = {};
  volumes['grafana-data'] = {};
  document.volumes = volumes;
}

/** grafanaDatasource provisions the Prometheus the dashboard queries (fixed uid). */
export function grafanaDatasource() {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: DATASOURCE_UID,
        type: 'prometheus',
        access: 'proxy',
        url: `http://${PROMETHEUS_NAME}:${PROMETHEUS_PORT}`,
        isDefault: true,
        editable: false,
      },
    ],
  };
}

/** grafanaDashboardProvider loads the dashboards in /etc/grafana/dashboards. */
export function grafanaDashboardProvider() {
  return {
    apiVersion: 1,
    providers: [
      {
        name: 'seam',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        options: { path: '/etc/grafana/dashboards' },
      },
    ],
  };
}

function yamlText(document: unknown): string {
  return stringify(document, { lineWidth: 0 });
}

const Target = z.string().regex(/^[a-z0-9-]+:\d+$/, 'host:port');
/** PrometheusConfigSchema is the part of Prometheus's configuration file the profile uses, strictly. */
export const PrometheusConfigSchema = z.strictObject({
  global: z.strictObject({
    scrape_interval: z.string().regex(/^\d+[smh]$/),
    evaluation_interval: z.string().regex(/^\d+[smh]$/),
  }),
  scrape_configs: z
    .array(
      z.strictObject({
        job_name: z.string().min(1),
        metrics_path: z.string().startsWith('/'),
        static_configs: z.array(z.strictObject({ targets: z.array(Target).min(1) })).optional(),
        dns_sd_configs: z
          .array(
            z.strictObject({
              names: z.array(z.string().min(1)).min(1),
              type: z.enum(['A', 'AAAA', 'SRV', 'MX', 'NS']),
              port: z.number().int().min(1).max(65_535),
              refresh_interval: z.string().regex(/^\d+[smh]$/),
            }),
          )
          .optional(),
      }),
    )
    .min(1),
});

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * observabilityMismatches checks the profile of a parsed Compose file: its
 * services only start with the profile, Prometheus's configuration has the
 * expected shape and scrapes the gateway and every topology service on the
 * container port, and Grafana's provisioning points at that Prometheus and at
 * a dashboard file that exists.
 */
export function observabilityMismatches(
  compose: Loose,
  container: ContainerTopology,
  context: { root: string },
): string[] {
  const problems: string[] = [];
  const services: Loose = compose.services ?? {};
  for (const name of [PROMETHEUS_NAME, GRAFANA_NAME]) {
    const profiles: unknown[] = services[name]?.profiles ?? [];
    if (!services[name]) problems.push(`no ${name} service`);
    else if (profiles.length !== 1 || profiles[0] !== OBSERVABILITY_PROFILE) {
      problems.push(`${name} must run only with the ${OBSERVABILITY_PROFILE} profile`);
    }
  }
  const configs: Loose = compose.configs ?? {};
  let config: z.infer<typeof PrometheusConfigSchema> | undefined;
  try {
    const parsed = PrometheusConfigSchema.safeParse(
      parse(String(configs['prometheus-config']?.content)),
    );
    if (parsed.success) config = parsed.data;
    else {
      problems.push(
        ...parsed.error.issues.map((i) => `prometheus-config: ${i.path.join('.')}: ${i.message}`),
      );
    }
  } catch (error) {
    problems.push(`prometheus-config is not YAML: ${(error as Error).message}`);
  }
  if (config) {
    const expected = [GATEWAY_NAME, ...Object.keys(container.topology.services)];
    const jobs = config.scrape_configs.map((job) => job.job_name);
    const missing = expected.filter((name) => !jobs.includes(name));
    if (missing.length > 0) problems.push(`Prometheus does not scrape ${missing.join(', ')}`);
    const extra = jobs.filter((name) => !expected.includes(name));
    if (extra.length > 0) problems.push(`Prometheus scrapes unknown jobs ${extra.join(', ')}`);
    for (const job of config.scrape_configs) {
      const targets = [
        ...(job.static_configs ?? []).flatMap((s) => s.targets),
        ...(job.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
      ];
      if (targets.length === 0 || targets.some((t) => t !== `${job.job_name}:${CONTAINER_PORT}`)) {
        problems.push(
          `Prometheus job ${job.job_name} does not scrape ${job.job_name}:${CONTAINER_PORT}`,
        );
      }
    }
  }
  const datasource = parse(String(configs['grafana-datasource']?.content ?? '{}')) as Loose;
  const source = datasource?.datasources?.[0];
  if (
    source?.uid !== DATASOURCE_UID ||
    source?.url !== `http://${PROMETHEUS_NAME}:${PROMETHEUS_PORT}`
  ) {
    problems.push(
      `grafana-datasource is not ${DATASOURCE_UID} at http://${PROMETHEUS_NAME}:${PROMETHEUS_PORT}`,
    );
  }
  const dashboardFile = configs['grafana-dashboard-seam']?.file;
  if (!dashboardFile || !existsSync(join(context.root, 'docker/compose', String(dashboardFile)))) {
    problems.push(`grafana-dashboard-seam names no existing file (${String(dashboardFile)})`);
  }
  return problems;
}
