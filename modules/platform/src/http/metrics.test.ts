import { describe, expect, it } from 'vitest';
import { hostCollector } from '../host/metrics.js';
import { createLogger } from '../logger.js';
import {
  breakerGauges,
  METRICS,
  Metrics,
  OPERATION_BUCKETS,
  quantile,
  REQUEST_BUCKETS,
} from './metrics.js';
import { parseExposition, type Sample } from '../testing/exposition.js';

const silent = createLogger({ level: 'silent', service: 'test' });

function find(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

describe('Metrics.render', () => {
  it('renders parseable exposition text with HELP and TYPE before every family', async () => {
    const metrics = new Metrics({ service: 'svc', modules: ['a', 'b'] });
    metrics.observe('GET', '/api/a/things/:id', 200, 0.003);
    metrics.observeCall('b', 'getThing', 'in-process', 'ok', 0.00002);
    metrics.observeDelivery('b', 'a.ThingMade', 'delivered');
    const { samples, families } = parseExposition(await metrics.render());
    expect(families.get('seam_info')).toBe('gauge');
    expect(families.get('http_request_duration_seconds')).toBe('histogram');
    expect(families.get('seam_operation_duration_seconds')).toBe('histogram');
    expect(families.get('seam_event_deliveries_total')).toBe('counter');
    expect(find(samples, 'seam_info', { service: 'svc', modules: 'a,b' })[0]?.value).toBe(1);
    expect(find(samples, 'process_resident_memory_bytes')[0]?.value).toBeGreaterThan(0);
  });

  it('makes histogram buckets cumulative, ending in +Inf equal to the count', async () => {
    const metrics = new Metrics({ service: 'svc', modules: [] });
    for (const seconds of [0.0005, 0.003, 0.003, 0.2, 30]) {
      metrics.observe('POST', '/api/x', 201, seconds);
    }
    const { samples } = parseExposition(await metrics.render());
    const buckets = find(samples, 'http_request_duration_seconds_bucket', { route: '/api/x' });
    expect(buckets.map((b) => b.labels.le)).toEqual([...REQUEST_BUCKETS.map(String), '+Inf']);
    const values = buckets.map((b) => b.value);
    expect(values).toEqual([...values].sort((x, y) => x - y));
    expect(find(buckets, 'http_request_duration_seconds_bucket', { le: '0.001' })[0]?.value).toBe(
      1,
    );
    expect(find(buckets, 'http_request_duration_seconds_bucket', { le: '0.005' })[0]?.value).toBe(
      3,
    );
    expect(find(buckets, 'http_request_duration_seconds_bucket', { le: '10' })[0]?.value).toBe(4);
    expect(values.at(-1)).toBe(5);
    expect(
      find(samples, 'http_request_duration_seconds_count', { route: '/api/x' })[0]?.value,
    ).toBe(5);
    expect(find(samples, 'http_request_duration_seconds_sum')[0]?.value).toBeCloseTo(30.2065, 6);
    expect(find(samples, 'http_requests_total', { method: 'POST', status: '201' })[0]?.value).toBe(
      5,
    );
  });

  it('labels operation calls by module, operation, outcome and transport', async () => {
    const metrics = new Metrics({ service: 'svc', modules: [] });
    metrics.observeCall('catalog', 'getProduct', 'http', 'ok', 0.0004);
    metrics.observeCall('catalog', 'getProduct', 'http', 'module-unavailable', 0.001);
    metrics.observeCall('catalog', 'getProduct', 'in-process', 'ok', 0.00001);
    const { samples } = parseExposition(await metrics.render());
    const counts = find(samples, 'seam_operation_duration_seconds_count');
    expect(counts.map((s) => s.labels)).toEqual([
      { module: 'catalog', operation: 'getProduct', outcome: 'ok', transport: 'http' },
      {
        module: 'catalog',
        operation: 'getProduct',
        outcome: 'module-unavailable',
        transport: 'http',
      },
      { module: 'catalog', operation: 'getProduct', outcome: 'ok', transport: 'in-process' },
    ]);
    const inProcess = find(samples, 'seam_operation_duration_seconds_bucket', {
      transport: 'in-process',
    });
    expect(inProcess).toHaveLength(OPERATION_BUCKETS.length + 1);
    expect(inProcess[0]).toMatchObject({ labels: { le: '0.00005' }, value: 1 });
  });

  it('escapes quotes, backslashes and newlines in label values', async () => {
    const metrics = new Metrics({ service: 'a"b\\c\nd', modules: [] });
    const { samples } = parseExposition(await metrics.render());
    expect(find(samples, 'seam_info')[0]?.labels.service).toBe('a"b\\c\nd');
  });

  it('appends what collectors read at scrape time', async () => {
    const metrics = new Metrics({ service: 'svc', modules: [] });
    let scrapes = 0;
    metrics.collect(async () => `# TYPE extra_gauge gauge\nextra_gauge ${++scrapes}\n`);
    expect(find(parseExposition(await metrics.render()).samples, 'extra_gauge')[0]?.value).toBe(1);
    expect(find(parseExposition(await metrics.render()).samples, 'extra_gauge')[0]?.value).toBe(2);
  });

  it('names every family it renders in METRICS', async () => {
    const metrics = new Metrics({ service: 'svc', modules: [] });
    metrics.observe('GET', '/', 200, 0.001);
    metrics.observeCall('m', 'o', 'http', 'ok', 0.001);
    metrics.observeDelivery('m', 'x.Y', 'failed');
    const { families } = parseExposition(await metrics.render());
    const known = new Set<string>(Object.values(METRICS).map((m) => m.name));
    expect([...families.keys()].filter((name) => !known.has(name))).toEqual([]);
  });
});

describe('Metrics.snapshot', () => {
  it('summarises routes over status and operations over outcome since the process started', () => {
    const metrics = new Metrics({ service: 'svc', modules: [] });
    for (let i = 0; i < 98; i++) metrics.observe('GET', '/api/a', 200, 0.004);
    metrics.observe('GET', '/api/a', 404, 0.004);
    metrics.observe('GET', '/api/a', 503, 2);
    metrics.observeCall('b', 'op', 'http', 'ok', 0.0003);
    metrics.observeCall('b', 'op', 'http', 'deadline-exceeded', 0.2);
    const snapshot = metrics.snapshot();
    expect(snapshot.routes).toEqual([
      expect.objectContaining({ method: 'GET', route: '/api/a', count: 100, errors: 1 }),
    ]);
    expect(snapshot.routes[0]!.clientErrors).toBe(1);
    expect(snapshot.routes[0]!.p50Seconds).toBeGreaterThan(0.001);
    expect(snapshot.routes[0]!.p50Seconds).toBeLessThanOrEqual(0.005);
    expect(snapshot.routes[0]!.p99Seconds).toBeLessThanOrEqual(0.005);
    expect(snapshot.routes[0]!.meanSeconds).toBeCloseTo((98 * 0.004 + 0.004 + 2) / 100, 9);
    expect(snapshot.operations).toEqual([
      expect.objectContaining({
        module: 'b',
        operation: 'op',
        transport: 'http',
        count: 2,
        errors: 1,
      }),
    ]);
    expect(snapshot.windowSeconds).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(JSON.stringify(snapshot)))).toEqual([
      'takenAt',
      'windowSeconds',
      'routes',
      'operations',
    ]);
  });

  it('counts only what happened since a previous snapshot when given one', () => {
    const metrics = new Metrics({ service: 'svc', modules: [] });
    metrics.observe('GET', '/api/a', 200, 0.004);
    metrics.observeCall('b', 'op', 'in-process', 'ok', 0.00001);
    const first = metrics.snapshot();
    metrics.observe('GET', '/api/a', 500, 0.3);
    metrics.observe('GET', '/api/a', 500, 0.3);
    const second = metrics.snapshot(first);
    expect(second.routes[0]).toMatchObject({ count: 2, errors: 2 });
    expect(second.routes[0]!.p50Seconds).toBeGreaterThan(0.25);
    expect(second.routes[0]!.ratePerSecond).toBeCloseTo(2 / second.windowSeconds, 6);
    expect(second.operations[0]).toMatchObject({ count: 0, errors: 0, p50Seconds: null });
  });
});

describe('quantile', () => {
  it('interpolates within the bucket holding the rank, as histogram_quantile does', () => {
    expect(quantile(0.5, [0, 10, 0], [1, 2])).toBe(1.5);
    expect(quantile(0.99, [0, 0, 5], [1, 2])).toBe(2);
    expect(quantile(0.5, [0, 0, 0], [1, 2])).toBeNull();
  });
});

describe('breakerGauges', () => {
  it('reports closed, open and half-open per target and replica', () => {
    const now = 1_000_000;
    const { samples } = parseExposition(
      `${breakerGauges(
        [
          {
            service: 'catalog',
            replicas: [
              { url: 'http://a:3000', state: 'ready', ejectedUntil: 0 },
              { url: 'http://b:3000', state: 'ejected', ejectedUntil: now + 500 },
              { url: 'http://c:3000', state: 'ejected', ejectedUntil: now - 1 },
              { url: 'http://d:3000', state: 'unknown', ejectedUntil: 0 },
            ],
          },
        ],
        now,
      ).join('\n')}\n`,
    );
    expect(samples.map((s) => [s.labels.replica, s.value])).toEqual([
      ['http://a:3000', 0],
      ['http://b:3000', 1],
      ['http://c:3000', 2],
      ['http://d:3000', 0],
    ]);
    expect(samples.every((s) => s.labels.target === 'catalog')).toBe(true);
  });
});

describe('hostCollector', () => {
  const database = {
    kind: 'postgres' as const,
    stats: () => ({ maxConnections: 10, queriesInFlight: 3 }),
  };
  const pairs = [
    { module: 'orders', subscriber: 'cart' },
    { module: 'orders', subscriber: 'notifications' },
  ];

  it('reports every subscriber of a hosted publisher, with 0 when nothing waits', async () => {
    const collect = hostCollector({
      database,
      pairs,
      breakers: () => [],
      log: silent,
      readOutboxes: async () => [
        { module: 'orders', subscriber: 'cart', pending: 2, failed: 1, oldestPendingSeconds: 4.5 },
      ],
    });
    const { samples } = parseExposition(await collect());
    expect(find(samples, 'seam_database_up')[0]?.value).toBe(1);
    expect(find(samples, 'seam_outbox_pending').map((s) => [s.labels.subscriber, s.value])).toEqual(
      [
        ['cart', 2],
        ['notifications', 0],
      ],
    );
    expect(find(samples, 'seam_outbox_failed', { subscriber: 'cart' })[0]?.value).toBe(1);
    expect(
      find(samples, 'seam_outbox_oldest_pending_seconds', { subscriber: 'cart' })[0]?.value,
    ).toBe(4.5);
    expect(find(samples, 'seam_database_connections_max', { kind: 'postgres' })[0]?.value).toBe(10);
    expect(find(samples, 'seam_database_queries_in_flight')[0]?.value).toBe(3);
  });

  it('answers seam_database_up 0 without outbox series when the database does not answer in time', async () => {
    let reads = 0;
    const collect = hostCollector({
      database,
      pairs,
      breakers: () => [],
      log: silent,
      timeoutMs: 20,
      readOutboxes: () => {
        reads += 1;
        return new Promise(() => {});
      },
    });
    for (let i = 0; i < 3; i++) {
      const { samples } = parseExposition(await collect());
      expect(find(samples, 'seam_database_up')[0]?.value).toBe(0);
      expect(find(samples, 'seam_outbox_pending')).toEqual([]);
      expect(find(samples, 'seam_database_queries_in_flight')[0]?.value).toBe(3);
    }
    // A read that hangs is not started again by the next scrape.
    expect(reads).toBe(1);
  });

  it('answers seam_database_up 0 when the read fails, and 1 again once it answers', async () => {
    let down = true;
    const collect = hostCollector({
      database,
      pairs,
      breakers: () => [],
      log: silent,
      readOutboxes: async () => {
        if (down) throw new Error('connection refused');
        return [];
      },
    });
    expect(find(parseExposition(await collect()).samples, 'seam_database_up')[0]?.value).toBe(0);
    down = false;
    expect(find(parseExposition(await collect()).samples, 'seam_database_up')[0]?.value).toBe(1);
  });
});

describe('parseExposition', () => {
  it('rejects what Prometheus would refuse', () => {
    expect(() => parseExposition('orphan 1\n')).toThrow('undeclared family');
    expect(() => parseExposition('# TYPE g gauge\ng{a="x\\q"} 1\n')).toThrow('bad escape');
    expect(() => parseExposition('# TYPE g gauge\ng 1\ng 2\n')).toThrow('series repeated');
    expect(() => parseExposition('# TYPE g gauge\ng one\n')).toThrow('not a number');
    expect(() =>
      parseExposition(
        '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      ),
    ).toThrow('not cumulative');
  });
});
