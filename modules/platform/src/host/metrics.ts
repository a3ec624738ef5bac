// The host's scrape-time series: the outboxes of its modules (one statement,
// bounded in time, so a scrape never waits for a database that is down), the
// database pool and the circuit breakers of the services it calls.
import type { DatabaseHandle } from '../database.js';
import { outboxStats, type OutboxStat } from '../events/outbox-stats.js';
import { RELAY } from '../events/bus.js';
import { breakerGauges, gauge, METRICS, type BreakerView, type Labels } from '../http/metrics.js';
import type { Logger } from '../logger.js';

/** SCRAPE_DATABASE_TIMEOUT_MS bounds the outbox read of one scrape. */
export const SCRAPE_DATABASE_TIMEOUT_MS = 2_000;

export interface HostCollectorOptions {
  database: Pick<DatabaseHandle, 'kind' | 'stats'>;
  /** readOutboxes reads the outboxes (outboxStats over the hosted modules). */
  readOutboxes: () => Promise<OutboxStat[]>;
  /** pairs are the publisher → subscriber pairs reported even when nothing waits (as 0). */
  pairs: readonly { module: string; subscriber: string }[];
  breakers: () => readonly BreakerView[];
  log: Logger;
  timeoutMs?: number;
}

/**
 * hostCollector renders the scrape-time series. A read still running from an
 * earlier scrape is awaited again rather than started twice; past the time
 * limit, or when it fails, the scrape answers `seam_database_up 0` and no
 * outbox series.
 *
 * @example
 * metrics.collect(hostCollector({ database, readOutboxes: () => outboxStats(database.db, names), pairs, breakers, log }));
 */
export function hostCollector(options: HostCollectorOptions): () => Promise<string> {
  const timeoutMs = options.timeoutMs ?? SCRAPE_DATABASE_TIMEOUT_MS;
  let reading: Promise<OutboxStat[]> | undefined;
  return async () => {
    reading ??= options.readOutboxes().finally(() => {
      reading = undefined;
    });
    const stats = await withinTime(reading, timeoutMs).catch((error: unknown) => {
      options.log.warn({ err: error }, 'metrics: the outbox read failed');
      return undefined;
    });
    const lines = gauge(METRICS.databaseUp, [[{}, stats ? 1 : 0]]);
    if (stats) {
      const byPair = new Map<string, OutboxStat>();
      for (const { module, subscriber } of options.pairs) {
        byPair.set(`${module}\0${subscriber}`, {
          module,
          subscriber,
          pending: 0,
          failed: 0,
          oldestPendingSeconds: 0,
        });
      }
      for (const stat of stats) byPair.set(`${stat.module}\0${stat.subscriber}`, stat);
      const rows = [...byPair.values()];
      const labels = (s: OutboxStat): Labels => ({ module: s.module, subscriber: s.subscriber });
      lines.push(
        ...gauge(
          METRICS.outboxPending,
          rows.map((s) => [labels(s), s.pending]),
        ),
        ...gauge(
          METRICS.outboxFailed,
          rows.map((s) => [labels(s), s.failed]),
        ),
        ...gauge(
          METRICS.outboxLag,
          rows.map((s) => [labels(s), s.oldestPendingSeconds]),
        ),
      );
    }
    const { maxConnections, queriesInFlight } = options.database.stats();
    const kind = { kind: options.database.kind };
    lines.push(
      ...gauge(METRICS.databaseConnectionsMax, [[kind, maxConnections]]),
      ...gauge(METRICS.databaseQueriesInFlight, [[kind, queriesInFlight]]),
      ...breakerGauges(options.breakers()),
    );
    return `${lines.join('\n')}\n`;
  };
}

/** publisherPairs lists the hosted publishers' subscribers from the bus's subscription map. */
export function publisherPairs(
  publishers: readonly string[],
  subscribersOf: ReadonlyMap<string, readonly string[]>,
  brokered = false,
): { module: string; subscriber: string }[] {
  const pairs = new Map<string, { module: string; subscriber: string }>();
  for (const [type, subscribers] of subscribersOf) {
    const module = type.slice(0, type.indexOf('.'));
    if (!publishers.includes(module)) continue;
    for (const each of subscribers) {
      // With a broker, subscribers elsewhere get the one relay delivery instead.
      const subscriber = brokered && !publishers.includes(each) ? RELAY : each;
      pairs.set(`${module}\0${subscriber}`, { module, subscriber });
    }
  }
  return [...pairs.values()];
}

/** readOutboxesOf binds outboxStats to a database and the hosted modules. */
export function readOutboxesOf(database: DatabaseHandle, modules: readonly string[]) {
  return () => outboxStats(database.db, modules);
}

function withinTime<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the database did not answer within ${ms} ms`)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
