// The NATS JetStream event transport. The outbox stays the source of truth: the
// bus's relay delivery of each event calls publish(), which stores it in the
// stream of its publishing module (`<PREFIX>_<MODULE>`, subject
// `<prefix>.events.<type>`) with the event id as the message id, so JetStream
// drops a relay's repeat within its duplicate window (the inbox drops any later
// one). Each hosted subscribing module pulls every type it consumes from a remote
// publisher's stream with a durable consumer of its own (`<module>_<Event>`),
// and acks a message only once its inbox transaction committed (bus.receive).
// Replicas of one service share the durable consumer: each message goes to one.
// The connection retries for ever; while NATS is away relays stay pending in the
// outbox and consumers resume where they stopped.
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';
import {
  extractTraceContext,
  SEAM_MODULE,
  SEAM_TRANSPORT,
  SpanKind,
  startSpan,
  tracingOn,
  TRACEPARENT_HEADER,
  withSpan,
} from '../tracing.js';
import type { BrokerSubscription, EventBroker, Received } from './bus.js';
import { EventEnvelopeSchema, type EventEnvelope } from './define.js';
import { consumerName, streamName, subjectOf } from './nats-names.js';

export interface JetStreamOptions {
  servers: string[];
  /** prefix names this deployment's streams and subjects (default `seam`). */
  prefix?: string;
  /** name identifies the connection in NATS's monitoring (the service). */
  name: string;
  log: Logger;
  /** publishTimeoutMs bounds one publish, including waiting for a connection. */
  publishTimeoutMs?: number;
  /** maxAgeMs is how long a stream keeps an event (default 7 days). */
  maxAgeMs?: number;
}

/** Receiver is bus.receive: handle one message for a hosted subscriber. */
export type Receiver = (
  subscriber: string,
  envelope: EventEnvelope,
  attempt: number,
  traceparent: string | null,
) => Promise<Received>;

/** DEFAULT_MAX_AGE_MS: a subscriber may be away this long without losing events. */
const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600_000;
/** ACK_WAIT_MS: a message not acked this long after delivery is delivered again. */
const ACK_WAIT_MS = 30_000;
/** PULL_BATCH: messages a consumer asks for at a time. */
const PULL_BATCH = 64;
/** HANDLE_CONCURRENCY: messages of one consumer handled at once. */
const HANDLE_CONCURRENCY = 16;

export class JetStreamBroker implements EventBroker {
  readonly #options: Required<JetStreamOptions>;
  /** #connected settles once the first connection is up (connect() retries until then). */
  readonly #connected: Promise<{ nc: NatsConnection; js: JetStreamClient }>;
  #jsm: Promise<JetStreamManager> | undefined;
  /** #streams caches the publishers whose stream is known to exist. */
  readonly #streams = new Map<string, Promise<void>>();
  readonly #consumers = new Set<ConsumerMessages>();
  readonly #loops: Promise<void>[] = [];
  #closed = false;
  /** #closing resolves when close() starts: it cuts every back-off wait short. */
  #signalClosing!: () => void;
  readonly #closing = new Promise<void>((resolve) => (this.#signalClosing = resolve));

  constructor(options: JetStreamOptions) {
    this.#options = {
      ...options,
      prefix: options.prefix ?? 'seam',
      publishTimeoutMs: options.publishTimeoutMs ?? 5_000,
      maxAgeMs: options.maxAgeMs ?? DEFAULT_MAX_AGE_MS,
    };
    this.#connected = this.#connect();
    // Rejected only by close() before the first connection: nothing to report.
    this.#connected.catch(() => {});
  }

  /**
   * #connect tries until the first connection is up (or close()); from then on
   * the client reconnects by itself, for ever, to any of the servers.
   */
  async #connect(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    const { servers, name, log } = this.#options;
    for (let failures = 0; !this.#closed; failures++) {
      try {
        const nc = await connect({
          servers,
          name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 250,
          pingInterval: 10_000,
        });
        if (this.#closed) {
          await nc.close();
          break;
        }
        void this.#watch(nc);
        return { nc, js: jetstream(nc) };
      } catch (error) {
        if (failures === 0 || failures % 20 === 0) {
          log.warn({ err: error, servers, failures: failures + 1 }, 'cannot connect to NATS yet');
        }
        await this.#pause(Math.min(250 * 2 ** failures, 2_000));
      }
    }
    throw new Error('the NATS connection was closed before it was up');
  }

  /** #pause waits `ms`, or less if close() starts. */
  #pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
      this.#closing,
    ]).finally(() => clearTimeout(timer));
  }

  /** #watch logs the connection's ups and downs. */
  async #watch(nc: NatsConnection): Promise<void> {
    const { log } = this.#options;
    log.info({ server: nc.getServer() }, 'connected to NATS');
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') log.warn({ server: status.server }, 'NATS disconnected');
      if (status.type === 'reconnect') log.info({ server: status.server }, 'NATS reconnected');
    }
  }

  /** #within bounds a wait on NATS by the publish timeout. */
  #within<T>(promise: Promise<T>, what: string): Promise<T> {
    const ms = this.#options.publishTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer from NATS in ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  #manager(): Promise<JetStreamManager> {
    this.#jsm ??= this.#connected
      .then(({ nc }) => jetstreamManager(nc))
      .catch((error: unknown) => {
        this.#jsm = undefined;
        throw error;
      });
    return this.#jsm;
  }

  /** ensureStream creates (or widens) `module`'s stream; cached once it succeeded. */
  ensureStream(module: string): Promise<void> {
    let ready = this.#streams.get(module);
    if (!ready) {
      ready = this.#createStream(module).catch((error: unknown) => {
        this.#streams.delete(module);
        throw error;
      });
      this.#streams.set(module, ready);
    }
    return ready;
  }

  async #createStream(module: string): Promise<void> {
    const { prefix, maxAgeMs } = this.#options;
    const jsm = await this.#manager();
    const name = streamName(prefix, module);
    const config = {
      name,
      subjects: [`${prefix}.events.${module}.*`],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: nanos(maxAgeMs),
      duplicate_window: nanos(120_000),
    };
    const existing = await jsm.streams.info(name).catch(() => undefined);
    if (existing) await jsm.streams.update(name, { ...existing.config, ...config });
    else await jsm.streams.add(config);
  }

  async publish(envelope: EventEnvelope, traceparent: string | null): Promise<void> {
    await this.#within(this.ensureStream(envelope.source), `stream of ${envelope.source}`);
    const { js } = await this.#connected;
    const h = headers();
    if (traceparent) h.set(TRACEPARENT_HEADER, traceparent);
    try {
      await js.publish(subjectOf(this.#options.prefix, envelope.type), JSON.stringify(envelope), {
        msgID: envelope.id,
        headers: h,
        timeout: this.#options.publishTimeoutMs,
        expect: { streamName: streamName(this.#options.prefix, envelope.source) },
      });
    } catch (error) {
      // The stream may be gone (a wiped store): the next attempt makes sure of it again.
      this.#streams.delete(envelope.source);
      throw error;
    }
  }

  /**
   * subscribe starts one pull loop per subscribed event type; each message goes
   * to `receive`, and is acked, or negatively acked with its retry delay.
   */
  subscribe(subscriptions: readonly BrokerSubscription[], receive: Receiver): void {
    for (const { subscriber, publisher, types } of subscriptions) {
      for (const type of types) this.#loops.push(this.#pull(subscriber, publisher, type, receive));
    }
  }

  /**
   * #pull keeps consuming one event type for one subscriber until close(),
   * setting the consumer up again after any failure. One durable consumer per
   * type (`notifications_OrderConfirmed`), each with one filter subject, works
   * on every JetStream server (several filters per consumer need NATS 2.10).
   */
  async #pull(
    subscriber: string,
    publisher: string,
    type: string,
    receive: Receiver,
  ): Promise<void> {
    const { log, prefix } = this.#options;
    const stream = streamName(prefix, publisher);
    const durable = consumerName(subscriber, type);
    let failures = 0;
    while (!this.#closed) {
      try {
        await this.ensureStream(publisher);
        const jsm = await this.#manager();
        const existing = await jsm.consumers.info(stream, durable).catch(() => undefined);
        if (!existing) {
          await jsm.consumers.add(stream, {
            durable_name: durable,
            ack_policy: AckPolicy.Explicit,
            deliver_policy: DeliverPolicy.All,
            ack_wait: nanos(ACK_WAIT_MS),
            filter_subject: subjectOf(prefix, type),
          });
        }
        const { js } = await this.#connected;
        const consumer = await js.consumers.get(stream, durable);
        // A consumer or stream that disappears (a wiped store, an operator's delete)
        // ends the iteration instead of waiting for it: the loop sets it up again.
        const messages = await consumer.consume({
          max_messages: PULL_BATCH,
          abort_on_missing_resource: true,
        });
        this.#consumers.add(messages);
        if (this.#closed) await messages.close();
        log.info({ stream, consumer: durable }, 'consuming events from NATS');
        failures = 0;
        // Up to HANDLE_CONCURRENCY messages are handled at once (each its own inbox
        // transaction, acked on its own), as the HTTP dispatcher delivers a batch.
        const inFlight = new Set<Promise<void>>();
        try {
          for await (const message of messages) {
            const handling: Promise<void> = this.#handle(subscriber, message, receive)
              .catch((error: unknown) =>
                log.error({ err: error, stream, consumer: durable }, 'handling a message failed'),
              )
              .finally(() => inFlight.delete(handling));
            inFlight.add(handling);
            if (inFlight.size >= HANDLE_CONCURRENCY) await Promise.race(inFlight);
          }
        } finally {
          await Promise.all(inFlight);
          this.#consumers.delete(messages);
        }
      } catch (error) {
        if (this.#closed) return;
        failures += 1;
        log.warn(
          { err: error, stream, consumer: durable, failures },
          'cannot consume events from NATS; trying again',
        );
      }
      if (!this.#closed) await this.#pause(Math.min(250 * 2 ** failures, 5_000));
    }
  }

  async #handle(subscriber: string, message: JsMsg, receive: Receiver): Promise<void> {
    const parsed = EventEnvelopeSchema.safeParse(safeJson(message.string()));
    if (!parsed.success) {
      // Not an event Seam published: no handler can ever take it.
      this.#options.log.error(
        { subject: message.subject, seq: message.seq, subscriber },
        'a message on an event subject is not an event envelope; dropped',
      );
      message.term('not an event envelope');
      return;
    }
    const envelope = parsed.data as EventEnvelope;
    const traceparent = message.headers?.get(TRACEPARENT_HEADER) || null;
    const attempt = message.info.deliveryCount;
    let received: Received;
    if (tracingOn()) {
      const span = startSpan(
        `receive ${envelope.type}`,
        SpanKind.CONSUMER,
        {
          'messaging.system': 'nats',
          'messaging.operation.type': 'receive',
          'messaging.destination.name': message.subject,
          'messaging.message.id': envelope.id,
          [SEAM_MODULE]: subscriber,
          [SEAM_TRANSPORT]: 'nats',
        },
        extractTraceContext(traceparent),
      );
      received = await withSpan(span, () =>
        receive(subscriber, envelope, attempt, traceparent),
      ).finally(() => span.end());
    } else {
      received = await receive(subscriber, envelope, attempt, traceparent);
    }
    if (received.ack) {
      // Acked after the inbox committed; a lost ack means one redelivery, a duplicate.
      message.ack();
    } else {
      message.nak(received.retryInMs);
    }
  }

  /** close stops the consumers (in-flight handling finishes) and drains the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#signalClosing();
    await Promise.allSettled([...this.#consumers].map((messages) => messages.close()));
    await Promise.allSettled(this.#loops);
    const connected = await this.#connected.catch(() => undefined);
    if (connected) await connected.nc.drain().catch(() => connected.nc.close());
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
