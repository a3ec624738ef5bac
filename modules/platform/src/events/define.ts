// Domain events: declared in the publishing module's contract, versioned and
// zod-validated; consumed by other modules through their inboxes.
import { z } from '@hono/zod-openapi';

/** EventDefinition names one event type and the schema of its payload. */
export interface EventDefinition<
  Type extends string = string,
  Payload extends z.ZodType = z.ZodType,
> {
  /** type is `<module>.<EventName>`, e.g. `orders.OrderConfirmed`. */
  readonly type: Type;
  readonly version: number;
  readonly payload: Payload;
  readonly description: string;
}

/** EventEnvelope is an event as stored in an outbox and handed to consumers. */
export interface EventEnvelope<Payload = unknown> {
  id: string;
  type: string;
  version: number;
  /** source is the publishing module. */
  source: string;
  occurredAt: string;
  payload: Payload;
}

/** EventEnvelopeSchema checks an envelope arriving from another process (HTTP or the broker). */
export const EventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int(),
  source: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  payload: z.unknown(),
});

/**
 * defineEvent declares an event type in a contract.
 *
 * @example
 * export const OrderConfirmed = defineEvent({
 *   type: 'orders.OrderConfirmed', version: 1, description: 'An order was paid',
 *   payload: z.object({ orderId: z.uuid(), userId: z.uuid(), total: MoneySchema }),
 * });
 */
export function defineEvent<const Type extends string, Payload extends z.ZodType>(
  definition: EventDefinition<Type, Payload>,
): EventDefinition<Type, Payload> {
  if (!/^[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9]*$/.test(definition.type)) {
    throw new Error(`Event type "${definition.type}" must look like module.EventName`);
  }
  return Object.freeze(definition);
}

/** EventHandler binds a handler to one consumed event type; build it with `on`. */
export interface EventHandler {
  readonly event: EventDefinition;
  /**
   * prepare runs before the handler's transaction opens; calls to other modules
   * belong here. With PGlite one connection serves the whole process, so an
   * in-process call made while the transaction is open would wait for it to end.
   */
  readonly prepare?: (event: EventEnvelope) => Promise<unknown>;
  readonly handle: (event: EventEnvelope, context: EventContext<unknown>) => Promise<void>;
}

/**
 * on types a handler by the event it consumes. Pass `{ prepare, handle }` when
 * the handler needs another module: `prepare` calls it outside the transaction
 * (and again on a retry), `handle` gets its result as `prepared`.
 *
 * @example
 * handlers: [on(OrderConfirmed, async (event, { tx }) => { await tx.insert(messages).values(...) })]
 * handlers: [on(OrderConfirmed, {
 *   prepare: (event) => clients.of(usersContract).getUser({ id: event.payload.userId }),
 *   handle: async (event, { tx, prepared: user }) => { await tx.insert(mails).values(...) },
 * })]
 */
export function on<E extends EventDefinition>(
  event: E,
  handle: (event: EventEnvelope<z.output<E['payload']>>, context: EventContext) => Promise<void>,
): EventHandler;
export function on<E extends EventDefinition, Prepared>(
  event: E,
  steps: {
    prepare: (event: EventEnvelope<z.output<E['payload']>>) => Promise<Prepared>;
    handle: (
      event: EventEnvelope<z.output<E['payload']>>,
      context: EventContext<Prepared>,
    ) => Promise<void>;
  },
): EventHandler;
export function on(
  event: EventDefinition,
  handler: AnyStep | { prepare: AnyStep; handle: AnyStep },
): EventHandler {
  if (typeof handler === 'function') return { event, handle: handler as EventHandler['handle'] };
  return {
    event,
    prepare: handler.prepare as EventHandler['prepare'],
    handle: handler.handle as EventHandler['handle'],
  };
}

type AnyStep = (...args: never[]) => Promise<unknown>;

/** EventContext gives a handler the transaction its inbox record is written in. */
export interface EventContext<Prepared = undefined> {
  /** tx commits together with the inbox record, so effects happen once. */
  tx: import('../database.js').Database;
  /** prepared is what the handler's `prepare` step returned (undefined without one). */
  prepared: Prepared;
}
