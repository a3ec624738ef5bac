// The console's sections, rendered from one ConsoleState: topology, outbox,
// recent errors and per-route traffic. Rates are the change in request counts
// since the previous refresh.
import { h, replace, table } from './dom.js';
import { renderGraph } from './graph.js';
import type { ConsoleProcess, ConsoleState, Delivery, RouteSeries } from './types.js';

export interface RenderActions {
  retry(delivery: Delivery): void;
}

let previous: { at: number; counts: Map<string, number> } | undefined;

export function render(state: ConsoleState, actions: RenderActions): void {
  renderTopology(state);
  replace('graph-view', renderGraph(state.graph));
  renderOutbox(state, actions);
  renderErrors(state.processes);
  renderTraffic(state);
  renderOperations(state);
}

function renderTopology(state: ConsoleState): void {
  const cards = state.services.map((service) =>
    h(
      'article',
      { class: 'card service', 'data-service': service.name },
      h('h3', {}, service.name),
      h(
        'p',
        { class: 'modules' },
        ...service.modules.map((m) => h('span', { class: 'chip', 'data-module': m }, m)),
      ),
      table(
        ['replica', 'health', 'breaker'],
        service.replicas.map((replica) =>
          h(
            'tr',
            { 'data-replica': replica.url },
            h('td', {}, replica.url || '(this process)'),
            h(
              'td',
              {
                class: replica.ready ? 'ok' : 'bad',
                'data-health': replica.ready ? 'ready' : 'down',
              },
              replica.ready ? 'ready' : `unavailable${replica.error ? `: ${replica.error}` : ''}`,
            ),
            h(
              'td',
              { class: replica.breaker === 'ejected' ? 'bad' : 'ok' },
              replica.breaker === undefined
                ? 'in-process'
                : replica.breaker === 'ejected'
                  ? 'open (ejected)'
                  : `closed (${replica.breaker})`,
            ),
          ),
        ),
        'No replica',
      ),
    ),
  );
  replace('services', ...cards);
}

function renderOutbox(state: ConsoleState, actions: RenderActions): void {
  replace(
    'subscribers',
    table(
      ['service (outbox)', 'subscriber', 'pending', 'failed'],
      state.outbox.subscribers.map((s) =>
        h(
          'tr',
          { 'data-subscriber': s.subscriber },
          h('td', {}, s.service),
          h('td', {}, s.subscriber),
          h('td', {}, s.pending),
          h('td', { class: s.failed > 0 ? 'bad' : '' }, s.failed),
        ),
      ),
      'Nothing pending or failed: every event was delivered.',
    ),
  );
  replace(
    'deliveries',
    table(
      ['status', 'event', 'from', 'to', 'attempts', 'last error', 'occurred', ''],
      state.outbox.deliveries.map((d) => {
        const button =
          d.status === 'failed'
            ? h('button', { type: 'button', class: 'retry', 'data-delivery-id': d.id }, 'Retry')
            : null;
        button?.addEventListener('click', () => {
          button.disabled = true;
          actions.retry(d);
        });
        return h(
          'tr',
          { 'data-delivery-id': d.id, 'data-status': d.status },
          h('td', { class: d.status === 'failed' ? 'bad' : 'muted' }, d.status),
          h('td', {}, d.type),
          h('td', {}, `${d.module} (${d.service})`),
          h('td', {}, d.subscriber),
          h('td', {}, d.attempts),
          h('td', { class: 'detail' }, d.lastError ?? ''),
          h('td', {}, time(d.occurredAt)),
          h('td', {}, button),
        );
      }),
      'No pending or failed delivery.',
    ),
  );
}

function renderErrors(processes: ConsoleProcess[]): void {
  const rows = processes
    .flatMap((p) => p.errors.map((e) => ({ ...e, process: p.url ?? p.service })))
    .sort((a, b) => b.at.localeCompare(a.at))
    .slice(0, 50)
    .map((e) =>
      h(
        'tr',
        { 'data-status': String(e.status) },
        h('td', {}, time(e.at)),
        h('td', {}, e.process),
        h('td', { class: e.status >= 500 ? 'bad' : 'warn' }, e.status),
        h('td', {}, `${e.method} ${e.path}`),
        h('td', { class: 'detail' }, e.title ? `${e.title}: ${e.detail ?? ''}` : ''),
      ),
    );
  replace(
    'error-list',
    table(['time', 'process', 'status', 'request', 'problem'], rows, 'No error answered lately.'),
  );
}

function renderTraffic(state: ConsoleState): void {
  const now = Date.parse(state.at);
  const counts = new Map<string, number>();
  const rows: HTMLTableRowElement[] = [];
  for (const p of state.processes) {
    for (const [key, routes] of groupRoutes(p.routes)) {
      const total = routes.reduce((n, r) => n + r.count, 0);
      const errors = routes.filter((r) => r.status >= 400).reduce((n, r) => n + r.count, 0);
      const seconds = routes.reduce((n, r) => n + r.sum, 0);
      const id = `${p.url ?? p.service} ${key}`;
      counts.set(id, total);
      const before = previous?.counts.get(id);
      const rate =
        previous && before !== undefined && now > previous.at
          ? ((total - before) * 1000) / (now - previous.at)
          : undefined;
      const [method, route] = key.split(' ', 2) as [string, string];
      rows.push(
        h(
          'tr',
          { 'data-route': route },
          h('td', {}, p.service),
          h('td', {}, route.startsWith('/internal/operations/') ? 'operation' : 'route'),
          h('td', {}, `${method} ${route}`),
          h('td', {}, total),
          h('td', {}, rate === undefined ? '–' : `${rate.toFixed(2)}/s`),
          h('td', { class: errors > 0 ? 'warn' : '' }, errors),
          h('td', {}, total > 0 ? `${((seconds / total) * 1000).toFixed(1)} ms` : '–'),
          h('td', {}, percentile(routes, state.latencyBuckets, 0.95)),
        ),
      );
    }
  }
  previous = { at: now, counts };
  replace(
    'route-list',
    table(
      ['process', 'kind', 'route', 'requests', 'rate', 'errors', 'mean', 'p95 ≤'],
      rows,
      'No request yet.',
    ),
  );
}

function renderOperations(state: ConsoleState): void {
  const ms = (seconds: number | null) =>
    seconds === null ? '–' : `${(seconds * 1000).toFixed(2)} ms`;
  const rows = state.processes.flatMap((p) =>
    p.operations.map((o) =>
      h(
        'tr',
        { 'data-operation': `${o.module}.${o.operation}` },
        h('td', {}, p.service),
        h('td', {}, `${o.module}.${o.operation}`),
        h('td', {}, o.transport),
        h('td', {}, o.count),
        h('td', {}, `${o.ratePerSecond.toFixed(2)}/s`),
        h('td', { class: o.errors > 0 ? 'warn' : '' }, o.errors),
        h('td', {}, ms(o.p50Seconds)),
        h('td', {}, ms(o.p99Seconds)),
      ),
    ),
  );
  replace(
    'operation-list',
    table(
      ['caller', 'operation', 'transport', 'calls', 'rate', 'errors', 'p50', 'p99'],
      rows,
      'No operation called yet.',
    ),
  );
}

/** groupRoutes merges a route's series of every status. */
function groupRoutes(routes: RouteSeries[]): Map<string, RouteSeries[]> {
  const groups = new Map<string, RouteSeries[]>();
  for (const r of routes) {
    const key = `${r.method} ${r.route}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/** percentile is the upper bound of the histogram bucket holding the quantile. */
function percentile(routes: RouteSeries[], bounds: number[], quantile: number): string {
  const total = routes.reduce((n, r) => n + r.count, 0);
  if (total === 0) return '–';
  for (let i = 0; i < bounds.length; i++) {
    const within = routes.reduce((n, r) => n + (r.buckets[i] ?? 0), 0);
    if (within >= total * quantile) return `${bounds[i]! * 1000} ms`;
  }
  return `> ${bounds.at(-1)! * 1000} ms`;
}

function time(iso: string): string {
  return new Date(iso).toLocaleTimeString();
}
