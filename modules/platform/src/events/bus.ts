// The event bus of one process: publishing into a module's outbox (inside the
// caller's transaction), dispatching due deliveries with retries and backoff,
// and consuming through the subscriber's inbox so each event takes effect once.
// Subscribers hosted here are called in-process; others over HTTP, or — with a
// broker (NATS JetStream) — through one relay delivery per event that stores it
// in the broker, from which subscribers elsewhere pull (see receive()). The
// dispatcher is woken when a publishing transaction commits (LISTEN/NOTIFY) and
// polls as a fallback. With tracing on, publishing is a PRODUCER span whose
// `traceparent` the outbox row keeps; each delivery continues it (a `send` span,
// then the subscriber's `process` span around its handler), in this process or
// another.
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lte, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../database.js';
import { AppError, databaseUnreachable, isAppError } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import type { Logger } from '../logger.js';
import {
  currentTraceparent,
  extractTraceContext,
  failActiveSpan,
  inSpan,
  SEAM_MODULE,
  SEAM_TRANSPORT,
  SpanKind,
  startSpan,
  tracingOn,
  withSpan,
  type Attributes,
} from '../tracing.js';
import type { EventDefinition, EventEnvelope, EventHandler } from './define.js';
import { eventTables, type EventTables } from './tables.js';

/** ClaimedDelivery is one due delivery with its event and the publisher's traceparent. */
interface ClaimedDelivery {
  delivery: { id: string; subscriber: string; attempts: number };
  envelope: EventEnvelope;
  traceparent: string | null;
}

/** messagingAttributes are the OpenTelemetry messaging attributes of an event span. */
function messagingAttributes(
  operation: 'publish' | 'send' | 'process',
  envelope: EventEnvelope,
  module: string,
): Attributes {
  return {
    'messaging.system': 'seam',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': envelope.type,
    'messaging.message.id': envelope.id,
    [SEAM_MODULE]: module,
  };
}

/** Error codes meaning the subscriber's service could not be reached at all. */
const SUBSCRIBER_AWAY = new Set(['module-unreachable', 'module-unavailable']);

/**
 * EVENTS_CHANNEL is the NOTIFY channel a publishing transaction signals on; the
 * payload is the publishing module, whose outbox has new deliveries.
 */
export const EVENTS_CHANNEL = 'seam_events';

export interface Subscriber {
  /** consumes lists the event types the module handles, with the schemas it expects. */
  consumes: readonly EventDefinition[];
  handlers: readonly EventHandler[];
}

/** RemoteDelivery sends an envelope to a subscriber hosted by another process. */
export type RemoteDelivery = (subscriber: string, envelope: EventEnvelope) => Promise<void>;

/**
 * RELAY is the subscriber of the one delivery per event that hands it to the
 * broker (not a module name: those have no `@`). Delivered = stored by the broker.
 */
export const RELAY = '@broker';

/** EventBroker stores events for subscribers in other processes (NATS JetStream). */
export interface EventBroker {
  /** publish stores the event, deduplicated by its id; resolves once it is stored. */
  publish(envelope: EventEnvelope, traceparent: string | null): Promise<void>;
}

/** BrokerSubscription: `subscriber` (hosted here) pulls these types of `publisher` (elsewhere). */
export interface BrokerSubscription {
  subscriber: string;
  publisher: string;
  types: string[];
}

/** Received tells the broker what to do with a message once receive() handled it. */
export type Received = { ack: true } | { ack: false; retryInMs: number };

/** Listen subscribes to a NOTIFY channel; see DatabaseHandle.listen. */
export type Listen = (
  channel: string,
  onNotify: (payload: string) => void,
) => Promise<() => Promise<void>>;

export interface EventBusOptions {
  db: Database;
  /**
   * listen wakes the dispatcher when a publishing transaction commits; without
   * it (or while it is down) deliveries wait for the next poll.
   */
  listen?: Listen;
  log: Logger;
  /** publishers are the hosted modules whose outboxes this process dispatches. */
  publishers: string[];
  /** subscribersOf maps an event type to every module (hosted or not) consuming it. */
  subscribersOf: Map<string, string[]>;
  /** remote delivers to subscribers not hosted here; undefined → the attempt fails and is retried. */
  remote?: RemoteDelivery;
  /**
   * broker, when set, carries every event with a subscriber not hosted here: one
   * relay delivery per event instead of one HTTP push per remote subscriber.
   */
  broker?: EventBroker;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  batchSize?: number;
  leaseMs?: number;
  /** metrics counts delivery attempts by subscriber, event type and outcome. */
  metrics?: Pick<Metrics, 'observeDelivery'>;
}

export interface DeliveryView {
  id: string;
  module: string;
  eventId: string;
  type: string;
  subscriber: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  occurredAt: string;
  deliveredAt: string | null;
}

export class EventBus {
  readonly #options: Required<Omit<EventBusOptions, 'remote' | 'listen' | 'metrics' | 'broker'>> &
    Pick<EventBusOptions, 'remote' | 'listen' | 'metrics' | 'broker'>;
  readonly #tables = new Map<string, EventTables>();
  readonly #subscribers = new Map<
    string,
    { consumes: readonly EventDefinition[]; handlers: Map<string, EventHandler> }
  >();
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** #due holds the publishers whose outboxes the loop should look at next. */
  readonly #due = new Set<string>();
  #unlisten: (() => Promise<void>) | undefined;
  /** #parkedDue: hosted subscribers whose parked events may be due again (a retry, a restart). */
  readonly #parkedDue = new Set<string>();

  constructor(options: EventBusOptions) {
    this.#options = { batchSize: 50, leaseMs: 30_000, ...options };
    for (const module of options.publishers) this.#tables.set(module, eventTables(module));
  }

  /** subscribe registers a hosted module's handlers. */
  subscribe(module: string, subscriber: Subscriber): void {
    const handlers = new Map(subscriber.handlers.map((h) => [h.event.type, h]));
    for (const event of subscriber.consumes) {
      if (!handlers.has(event.type)) {
        throw new Error(`Module ${module} consumes ${event.type} but has no handler for it`);
      }
    }
    for (const type of handlers.keys()) {
      if (!subscriber.consumes.some((e) => e.type === type)) {
        throw new Error(`Module ${module} handles ${type} but does not list it in consumes`);
      }
    }
    this.#subscribers.set(module, { consumes: subscriber.consumes, handlers });
    if (!this.#tables.has(module)) this.#tables.set(module, eventTables(module));
  }

  /**
   * publish writes an event into `module`'s outbox, and one delivery per
   * subscriber, using `tx` — so it commits or rolls back with the state change.
   */
  async publish<E extends EventDefinition>(
    module: string,
    tx: Database,
    event: E,
    payload: unknown,
  ): Promise<EventEnvelope> {
    if (!event.type.startsWith(`${module}.`)) {
      throw new Error(
        `Module ${module} cannot publish ${event.type}: events belong to their module`,
      );
    }
    const envelope: EventEnvelope = {
      id: randomUUID(),
      type: event.type,
      version: event.version,
      source: module,
      occurredAt: new Date().toISOString(),
      payload: event.payload.parse(payload),
    };
    const subscribers = this.#recipients(event.type);
    if (!tracingOn()) {
      await this.#insert(module, tx, envelope, subscribers, null);
      return envelope;
    }
    return inSpan(
      `publish ${envelope.type}`,
      SpanKind.PRODUCER,
      messagingAttributes('publish', envelope, module),
      async () => {
        await this.#insert(module, tx, envelope, subscribers, currentTraceparent());
        return envelope;
      },
    );
  }

  /**
   * #recipients are the deliveries an event of `type` gets: every subscriber —
   * or, with a broker, the hosted ones and one relay for all the others.
   */
  #recipients(type: string): readonly string[] {
    const all = this.#options.subscribersOf.get(type) ?? [];
    if (!this.#options.broker) return all;
    const hosted = all.filter((s) => this.#options.publishers.includes(s));
    return hosted.length < all.length ? [...hosted, RELAY] : hosted;
  }

  /** #insert writes the outbox row and its deliveries in one statement. */
  async #insert(
    module: string,
    tx: Database,
    envelope: EventEnvelope,
    subscribers: readonly string[],
    traceparent: string | null,
  ): Promise<void> {
    const tables = this.#tablesOf(module);
    const insertOutbox = sql`insert into ${tables.outbox} (id, type, version, payload, occurred_at, traceparent)
      values (${envelope.id}, ${envelope.type}, ${envelope.version},
              ${JSON.stringify(envelope.payload)}::jsonb, ${envelope.occurredAt}::timestamptz, ${traceparent})`;
    if (subscribers.length === 0) {
      await tx.execute(insertOutbox);
      return;
    }
    const rows = sql.join(
      subscribers.map(
        (subscriber) =>
          sql`(${randomUUID()}::uuid, ${envelope.id}::uuid, ${subscriber}, 'pending', 0, ${envelope.occurredAt}::timestamptz)`,
      ),
      sql`, `,
    );
    // One round trip writes the event and its deliveries; the NOTIFY reaches the
    // dispatcher (of every process listening) when, and only if, tx commits.
    await tx.execute(sql`with event as (${insertOutbox}),
      deliveries as (
        insert into ${tables.deliveries} (id, event_id, subscriber, status, attempts, next_attempt_at)
        values ${rows}
      )
      select pg_notify(${EVENTS_CHANNEL}, ${module})`);
  }

  /**
   * consume hands an envelope to a hosted subscriber exactly once: the inbox row
   * and the handler's writes share one transaction, so a redelivery is a no-op.
   */
  consume(module: string, envelope: EventEnvelope): Promise<'processed' | 'duplicate'> {
    if (!tracingOn()) return this.#consume(module, envelope);
    return inSpan(
      `process ${envelope.type}`,
      SpanKind.CONSUMER,
      messagingAttributes('process', envelope, module),
      async (span) => {
        const result = await this.#consume(module, envelope);
        span.setAttribute('seam.event.result', result);
        return result;
      },
    );
  }

  async #consume(module: string, envelope: EventEnvelope): Promise<'processed' | 'duplicate'> {
    const subscriber = this.#subscribers.get(module);
    const definition = subscriber?.consumes.find((e) => e.type === envelope.type);
    const handler = subscriber?.handlers.get(envelope.type);
    if (!subscriber || !definition || !handler) {
      throw AppError.notFound(
        `Module ${module} does not consume ${envelope.type} here`,
        'unknown-subscription',
      );
    }
    const parsed = definition.payload.safeParse(envelope.payload);
    if (!parsed.success) {
      throw AppError.badRequest(
        `Event ${envelope.id} (${envelope.type}) has an invalid payload`,
        'invalid-event',
      );
    }
    const { inbox } = this.#tablesOf(module);
    const event = { ...envelope, payload: parsed.data };
    let prepared: unknown;
    if (handler.prepare) {
      // Outside the transaction (see EventHandler.prepare); a known duplicate skips it.
      const [seen] = await this.#options.db
        .select({ eventId: inbox.eventId })
        .from(inbox)
        .where(eq(inbox.eventId, envelope.id));
      if (!seen) prepared = await handler.prepare(event);
    }
    const result = await this.#options.db.transaction(async (tx) => {
      const fresh = await tx
        .insert(inbox)
        .values({ eventId: envelope.id, type: envelope.type, receivedAt: new Date() })
        .onConflictDoNothing()
        .returning({ eventId: inbox.eventId });
      if (fresh.length === 0) return 'duplicate' as const;
      await handler.handle(event, { tx: tx as unknown as Database, prepared });
      return 'processed' as const;
    });
    this.#options.log.debug(
      {
        event: envelope.type,
        eventId: envelope.id,
        subscriber: module,
        result,
        lagMs: Date.now() - Date.parse(envelope.occurredAt),
      },
      'event consumed',
    );
    return result;
  }

  /** start runs the dispatch loop until stop(). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    await this.#unlisten?.().catch(() => {});
    this.#unlisten = undefined;
  }

  /**
   * kick makes the loop look at `module`'s outbox (default: every hosted one) now
   * instead of after the poll interval. A kick while a batch is being delivered
   * is kept, not lost: the loop looks again right after.
   */
  kick(module?: string): void {
    if (module === undefined) {
      for (const publisher of this.#options.publishers) this.#due.add(publisher);
    } else if (this.#options.publishers.includes(module)) {
      this.#due.add(module);
    } else {
      return;
    }
    this.#wake?.();
  }

  async #run(): Promise<void> {
    await this.#listen();
    // Parked events a retry reopened before a restart are looked at once (also after
    // the transport went back from nats to http: what was parked stays retriable).
    for (const subscriber of this.#subscribers.keys()) this.#parkedDue.add(subscriber);
    const { pollMs, publishers } = this.#options;
    // The first sweep finds what was left from before this process started.
    let sweepAt = 0;
    while (this.#running) {
      // Every pollMs all outboxes are looked at, however busy the notified ones
      // keep the loop: that catches missed notifications and retries come due.
      if (performance.now() >= sweepAt) {
        for (const publisher of publishers) this.#due.add(publisher);
        sweepAt = performance.now() + pollMs;
      }
      if (this.#parkedDue.size > 0) await this.#redeliverParked();
      if (this.#due.size === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, sweepAt - performance.now()));
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = undefined;
        continue;
      }
      const modules = [...this.#due];
      this.#due.clear();
      for (const module of modules) {
        if (!this.#running) return;
        try {
          // A full batch means more may be due: look again without waiting.
          if ((await this.#dispatch(module)) >= this.#options.batchSize) this.#due.add(module);
        } catch (error) {
          this.#options.log.error({ err: error, module }, 'event dispatch failed');
        }
      }
    }
  }

  /** #listen subscribes to commit notifications; without them the poll still delivers. */
  async #listen(): Promise<void> {
    const { listen, log } = this.#options;
    if (!listen) return;
    try {
      this.#unlisten = await listen(EVENTS_CHANNEL, (module) => this.kick(module));
    } catch (error) {
      log.warn(
        { err: error },
        'cannot listen for event notifications; deliveries wait for the poll',
      );
    }
  }

  /** dispatchOnce delivers one batch of due deliveries per publisher; returns how many. */
  async dispatchOnce(): Promise<number> {
    let handled = 0;
    for (const module of this.#options.publishers) handled += await this.#dispatch(module);
    return handled;
  }

  /**
   * #dispatch claims one batch of `module`'s due deliveries, delivers them
   * concurrently and records the successes in one statement. Round trips per
   * batch: the claim, the deliveries (in-process: the subscriber's inbox
   * transaction), and one update.
   */
  async #dispatch(module: string): Promise<number> {
    const due = await this.#claim(module);
    if (due.length === 0) return 0;
    const outcomes = await Promise.all(due.map((item) => this.#deliver(module, item)));
    const delivered = due.filter((_, i) => outcomes[i]).map((item) => item.delivery.id);
    if (delivered.length > 0) {
      const { deliveries } = this.#tablesOf(module);
      await this.#options.db
        .update(deliveries)
        .set({
          status: 'delivered',
          attempts: sql`${deliveries.attempts} + 1`,
          deliveredAt: new Date(),
          leaseUntil: null,
          lastError: null,
        })
        .where(inArray(deliveries.id, delivered));
    }
    return due.length;
  }

  async #claim(module: string) {
    const { deliveries, outbox } = this.#tablesOf(module);
    const { db, batchSize, leaseMs } = this.#options;
    const now = new Date();
    const dueIds = db
      .select({ id: deliveries.id })
      .from(deliveries)
      .where(
        and(
          eq(deliveries.status, 'pending'),
          lte(deliveries.nextAttemptAt, now),
          or(isNull(deliveries.leaseUntil), lt(deliveries.leaseUntil, now)),
        ),
      )
      .orderBy(asc(deliveries.nextAttemptAt))
      .limit(batchSize)
      .for('update', { skipLocked: true });
    // One statement leases the due rows and reads their events.
    const claimed = await db
      .update(deliveries)
      .set({ leaseUntil: new Date(now.getTime() + leaseMs) })
      .from(outbox)
      .where(and(inArray(deliveries.id, dueIds), eq(outbox.id, deliveries.eventId)))
      .returning({
        id: deliveries.id,
        subscriber: deliveries.subscriber,
        attempts: deliveries.attempts,
        eventId: outbox.id,
        type: outbox.type,
        version: outbox.version,
        payload: outbox.payload,
        occurredAt: outbox.occurredAt,
        traceparent: outbox.traceparent,
      });
    return claimed.map(({ id, subscriber, attempts, eventId, traceparent, ...event }) => {
      const envelope: EventEnvelope = {
        id: eventId,
        type: event.type,
        version: event.version,
        source: module,
        occurredAt: event.occurredAt.toISOString(),
        payload: event.payload,
      };
      return { delivery: { id, subscriber, attempts }, envelope, traceparent };
    });
  }

  /**
   * #deliver hands one delivery to its subscriber; with tracing on, inside a
   * `send` span continuing the publisher's trace (the outbox row's traceparent).
   */
  #deliver(module: string, item: ClaimedDelivery): Promise<boolean> {
    if (!tracingOn()) return this.#attempt(module, item);
    const { delivery, envelope } = item;
    const local = this.#subscribers.has(delivery.subscriber);
    const span = startSpan(
      `send ${envelope.type}`,
      SpanKind.PRODUCER,
      {
        ...messagingAttributes('send', envelope, delivery.subscriber),
        'messaging.operation.name': 'deliver',
        'seam.event.attempt': delivery.attempts + 1,
        [SEAM_TRANSPORT]: local ? 'in-process' : delivery.subscriber === RELAY ? 'nats' : 'http',
      },
      extractTraceContext(item.traceparent),
    );
    return withSpan(span, () => this.#attempt(module, item)).finally(() => span.end());
  }

  async #attempt(module: string, item: ClaimedDelivery): Promise<boolean> {
    const { deliveries } = this.#tablesOf(module);
    const { db, log, maxAttempts } = this.#options;
    const { delivery, envelope } = item;
    const attempts = delivery.attempts + 1;
    try {
      if (this.#subscribers.has(delivery.subscriber)) {
        await this.consume(delivery.subscriber, envelope);
      } else if (delivery.subscriber === RELAY) {
        await this.#relay(envelope, item.traceparent);
      } else if (this.#options.remote) {
        await this.#options.remote(delivery.subscriber, envelope);
      } else {
        throw AppError.unavailable(
          `Subscriber ${delivery.subscriber} is not reachable from this process`,
        );
      }
      this.#options.metrics?.observeDelivery(delivery.subscriber, envelope.type, 'delivered');
      return true;
    } catch (error) {
      const message = describe(error);
      // A subscriber that cannot be reached is down, not failing: its deliveries wait
      // (retried with capped backoff) however long it is away. Only a subscriber that
      // answers with an error uses up attempts.
      const waiting = isAppError(error) && SUBSCRIBER_AWAY.has(error.code);
      const failed = !waiting && attempts >= maxAttempts;
      this.#options.metrics?.observeDelivery(
        delivery.subscriber,
        envelope.type,
        failed ? 'failed' : waiting ? 'waiting' : 'retrying',
      );
      await db
        .update(deliveries)
        .set({
          status: failed ? 'failed' : 'pending',
          attempts,
          lastError: message.slice(0, 2000),
          nextAttemptAt: new Date(Date.now() + this.backoff(attempts)),
          leaseUntil: null,
        })
        .where(eq(deliveries.id, delivery.id));
      if (tracingOn()) failActiveSpan(message);
      log[failed ? 'error' : 'warn'](
        {
          event: envelope.type,
          eventId: envelope.id,
          subscriber: delivery.subscriber,
          attempts,
          err: message,
        },
        failed ? 'event delivery failed for good' : 'event delivery failed; will retry',
      );
      return false;
    }
  }

  /**
   * #relay stores an event in the broker. The broker being away is waiting, not
   * failing: the relay delivery stays pending (capped backoff) until it is back.
   */
  async #relay(envelope: EventEnvelope, traceparent: string | null): Promise<void> {
    const { broker } = this.#options;
    try {
      if (!broker) throw new Error('no broker is configured in this process');
      // With tracing on, the message continues this attempt's `send` span.
      await broker.publish(envelope, (tracingOn() && currentTraceparent()) || traceparent);
    } catch (error) {
      throw AppError.unavailable(
        `The event broker did not store the event: ${(error as Error).message}`,
        'module-unreachable',
      );
    }
  }

  /**
   * brokerSubscriptions lists what the hosted subscribers pull from the broker:
   * per remote publisher, the event types they consume (hosted publishers
   * deliver to them in-process).
   */
  brokerSubscriptions(): BrokerSubscription[] {
    const subscriptions: BrokerSubscription[] = [];
    for (const [subscriber, { consumes }] of this.#subscribers) {
      const byPublisher = new Map<string, string[]>();
      for (const { type } of consumes) {
        const publisher = type.slice(0, type.indexOf('.'));
        if (this.#options.publishers.includes(publisher)) continue;
        byPublisher.set(publisher, [...(byPublisher.get(publisher) ?? []), type]);
      }
      for (const [publisher, types] of byPublisher) {
        subscriptions.push({ subscriber, publisher, types });
      }
    }
    return subscriptions;
  }

  /**
   * receive handles an event the broker hands to hosted `subscriber`, on its
   * `attempt`-th delivery. Processed or a duplicate → ack. A failure → retry
   * after the backoff, until maxAttempts: then the event is parked in the
   * subscriber's schema as a failed delivery (the admin list and retry show it)
   * and acked. The subscriber's own database being away never parks: it waits.
   */
  async receive(
    subscriber: string,
    envelope: EventEnvelope,
    attempt: number,
    traceparent: string | null = null,
  ): Promise<Received> {
    const { log, maxAttempts, metrics } = this.#options;
    try {
      await this.consume(subscriber, envelope);
      metrics?.observeDelivery(subscriber, envelope.type, 'delivered');
      return { ack: true };
    } catch (error) {
      const message = describe(error);
      const waiting = databaseUnreachable(error) !== undefined;
      const fields = { event: envelope.type, eventId: envelope.id, subscriber, attempts: attempt };
      if (!waiting && attempt >= maxAttempts) {
        try {
          await this.#park(subscriber, envelope, attempt, message, traceparent);
          metrics?.observeDelivery(subscriber, envelope.type, 'failed');
          log.error({ ...fields, err: message }, 'event handling failed for good; parked');
          return { ack: true };
        } catch (parkError) {
          log.warn({ ...fields, err: describe(parkError) }, 'cannot park a failed event');
        }
      }
      metrics?.observeDelivery(subscriber, envelope.type, waiting ? 'waiting' : 'retrying');
      log.warn({ ...fields, err: message }, 'event handling failed; will retry');
      return { ack: false, retryInMs: this.backoff(attempt) };
    }
  }

  async #park(
    subscriber: string,
    envelope: EventEnvelope,
    attempts: number,
    lastError: string,
    traceparent: string | null,
  ): Promise<void> {
    const { parked } = this.#tablesOf(subscriber);
    const failed = {
      status: 'failed' as const,
      attempts,
      lastError: lastError.slice(0, 2000),
      nextAttemptAt: new Date(),
    };
    await this.#options.db
      .insert(parked)
      .values({
        id: randomUUID(),
        eventId: envelope.id,
        source: envelope.source,
        type: envelope.type,
        version: envelope.version,
        payload: envelope.payload,
        occurredAt: new Date(envelope.occurredAt),
        traceparent,
        ...failed,
      })
      .onConflictDoUpdate({ target: parked.eventId, set: failed });
  }

  /** #redeliverParked hands due parked events (reopened by a retry) to their hosted subscribers. */
  async #redeliverParked(): Promise<void> {
    const { db, log, maxAttempts, batchSize } = this.#options;
    const subscribers = [...this.#parkedDue];
    this.#parkedDue.clear();
    for (const subscriber of subscribers) {
      const { parked } = this.#tablesOf(subscriber);
      try {
        const due = await db
          .select()
          .from(parked)
          .where(and(eq(parked.status, 'pending'), lte(parked.nextAttemptAt, new Date())))
          .limit(batchSize);
        for (const row of due) {
          const envelope: EventEnvelope = {
            id: row.eventId,
            type: row.type,
            version: row.version,
            source: row.source,
            occurredAt: row.occurredAt.toISOString(),
            payload: row.payload,
          };
          const attempts = row.attempts + 1;
          try {
            await this.consume(subscriber, envelope);
            await db
              .update(parked)
              .set({ status: 'delivered', attempts, deliveredAt: new Date(), lastError: null })
              .where(eq(parked.id, row.id));
          } catch (error) {
            const failed = attempts >= maxAttempts;
            await db
              .update(parked)
              .set({
                status: failed ? 'failed' : 'pending',
                attempts,
                lastError: describe(error).slice(0, 2000),
                nextAttemptAt: new Date(Date.now() + this.backoff(attempts)),
              })
              .where(eq(parked.id, row.id));
            if (!failed) this.#parkedDue.add(subscriber);
          }
        }
        if (due.length >= batchSize) this.#parkedDue.add(subscriber);
      } catch (error) {
        log.error({ err: error, subscriber }, 'redelivering parked events failed');
        this.#parkedDue.add(subscriber);
      }
    }
  }

  /** backoff is exponential with full jitter in its upper half: base·2^(n-1) · [0.5, 1). */
  backoff(attempts: number): number {
    const { retryBaseMs, retryMaxMs } = this.#options;
    const ceiling = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempts - 1));
    return Math.round(ceiling * (0.5 + Math.random() * 0.5));
  }

  /** deliveries lists deliveries across the hosted publishers, newest first. */
  async deliveries(filter: {
    status?: DeliveryView['status'];
    limit: number;
  }): Promise<DeliveryView[]> {
    const views: DeliveryView[] = [];
    for (const module of this.#options.publishers) {
      const { deliveries } = this.#tablesOf(module);
      const where = filter.status ? eq(deliveries.status, filter.status) : undefined;
      views.push(...(await this.#views(module, where, filter.limit)));
    }
    // Parked events are listed whatever the transport is now: one parked under nats
    // stays visible and retriable after a switch back to http.
    for (const subscriber of this.#subscribers.keys()) {
      const { parked } = this.#tablesOf(subscriber);
      const where = filter.status ? eq(parked.status, filter.status) : undefined;
      views.push(...(await this.#parkedViews(subscriber, where, filter.limit)));
    }
    return views.sort((a, b) => b.occurredAt.localeCompare(a.occurredAt)).slice(0, filter.limit);
  }

  /** retry puts a failed delivery back in the queue with a fresh attempt budget. */
  async retry(id: string): Promise<DeliveryView> {
    for (const module of this.#options.publishers) {
      const { deliveries } = this.#tablesOf(module);
      const reopened = await this.#options.db
        .update(deliveries)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date(), leaseUntil: null })
        .where(and(eq(deliveries.id, id), eq(deliveries.status, 'failed')))
        .returning({ id: deliveries.id });
      const [view] = await this.#views(module, eq(deliveries.id, id), 1);
      if (!view) continue;
      if (reopened.length === 0) {
        throw AppError.conflict(
          `Delivery ${id} is ${view.status}; only failed deliveries can be retried`,
          'delivery-not-failed',
        );
      }
      this.kick();
      return view;
    }
    for (const subscriber of this.#subscribers.keys()) {
      const { parked } = this.#tablesOf(subscriber);
      const reopened = await this.#options.db
        .update(parked)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: new Date() })
        .where(and(eq(parked.id, id), eq(parked.status, 'failed')))
        .returning({ id: parked.id });
      const [view] = await this.#parkedViews(subscriber, eq(parked.id, id), 1);
      if (!view) continue;
      if (reopened.length === 0) {
        throw AppError.conflict(
          `Delivery ${id} is ${view.status}; only failed deliveries can be retried`,
          'delivery-not-failed',
        );
      }
      this.#parkedDue.add(subscriber);
      this.#wake?.();
      return view;
    }
    throw AppError.notFound(`Delivery ${id} does not exist`, 'delivery-not-found');
  }

  async #views(module: string, where: SQL | undefined, limit: number): Promise<DeliveryView[]> {
    const { deliveries, outbox } = this.#tablesOf(module);
    const rows = await this.#options.db
      .select({ d: deliveries, e: { type: outbox.type, occurredAt: outbox.occurredAt } })
      .from(deliveries)
      .innerJoin(outbox, eq(outbox.id, deliveries.eventId))
      .where(where)
      .orderBy(desc(outbox.occurredAt))
      .limit(limit);
    return rows.map(({ d, e }) => deliveryView({ ...d, ...e, module }));
  }

  async #parkedViews(
    subscriber: string,
    where: SQL | undefined,
    limit: number,
  ): Promise<DeliveryView[]> {
    const { parked } = this.#tablesOf(subscriber);
    const rows = await this.#options.db
      .select()
      .from(parked)
      .where(where)
      .orderBy(desc(parked.occurredAt))
      .limit(limit);
    return rows.map((row) => deliveryView({ ...row, module: row.source, subscriber }));
  }

  #tablesOf(module: string): EventTables {
    let tables = this.#tables.get(module);
    if (!tables) {
      tables = eventTables(module);
      this.#tables.set(module, tables);
    }
    return tables;
  }
}

/** deliveryView shows a delivery (or a parked event) as the admin routes and the console do. */
function deliveryView(row: {
  id: string;
  module: string;
  eventId: string;
  type: string;
  subscriber: string;
  status: DeliveryView['status'];
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  occurredAt: Date;
  deliveredAt: Date | null;
}): DeliveryView {
  return {
    id: row.id,
    module: row.module,
    eventId: row.eventId,
    type: row.type,
    subscriber: row.subscriber,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    lastError: row.lastError,
    occurredAt: row.occurredAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}

/** describe is an error as a delivery's lastError shows it. */
function describe(error: unknown): string {
  return isAppError(error) ? `${error.status} ${error.code}: ${error.detail}` : String(error);
}
