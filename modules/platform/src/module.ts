// Module definitions: what a host needs to run a module — its contract, its
// migrations, its config shape and a setup function that wires the use cases.
import type { OpenAPIHono, z } from '@hono/zod-openapi';
import type { PlatformConfig } from './config.js';
import type { Contract, ModuleClient, OperationHandlers } from './contract.js';
import type { Database } from './database.js';
import type { EventDefinition, EventEnvelope, EventHandler } from './events/define.js';
import type { Logger } from './logger.js';
import type { SeamEnv } from './http/env.js';

/** ModuleApp is the router a module registers its contract's routes on. */
export type ModuleApp = OpenAPIHono<SeamEnv>;

/** Clients hands out typed clients; the host decides in-process or HTTP per callee. */
export interface Clients {
  of<C extends Contract>(contract: C): ModuleClient<C>;
}

/** Events lets a module publish its own contract's events through its outbox. */
export interface Events {
  /**
   * publish writes the event into the module's outbox inside `tx`, so it is
   * delivered if and only if the state change commits.
   *
   * @example
   * await db.transaction(async (tx) => {
   *   await tx.update(orders).set({ status: 'confirmed' }).where(eq(orders.id, id));
   *   await events.publish(tx, OrderConfirmed, { orderId: id, userId });
   * });
   */
  publish<E extends EventDefinition>(
    tx: Database,
    event: E,
    payload: z.input<E['payload']>,
  ): Promise<EventEnvelope<z.output<E['payload']>>>;
}

export interface ModuleContext<Config> {
  name: string;
  db: Database;
  config: Config;
  log: Logger;
  clients: Clients;
  events: Events;
}

export interface ModuleImplementation<C extends Contract> {
  operations: OperationHandlers<C>;
  /** handlers handle the events the definition `consumes`, each once (inbox); see `on`. */
  handlers?: EventHandler[];
  /** routes registers the contract's public routes; paths are relative to /api/<name>. */
  routes(app: ModuleApp): void;
  /** start runs after migrations, before the process reports ready (seeding, bootstrap). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface ModuleDefinition<
  C extends Contract = Contract,
  Shape extends z.ZodRawShape = z.ZodRawShape,
> {
  contract: C;
  /** consumes lists other modules' events this module handles (from their contracts). */
  consumes?: readonly EventDefinition[];
  /** migrationsFolder is the absolute path of the module's drizzle-kit output. */
  migrationsFolder: string;
  /** config is the module's own environment variables, validated with the platform's. */
  config?: Shape;
  setup(
    context: ModuleContext<PlatformConfig & z.output<z.ZodObject<Shape>>>,
  ): ModuleImplementation<C> | Promise<ModuleImplementation<C>>;
}

/**
 * defineModule declares a module; its entry file exports the result as default.
 *
 * @example
 * export default defineModule({
 *   contract: catalogContract,
 *   migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
 *   setup: (ctx) => createCatalog(ctx),
 * });
 */
export function defineModule<
  C extends Contract,
  Shape extends z.ZodRawShape = Record<never, never>,
>(definition: ModuleDefinition<C, Shape>): ModuleDefinition<C, Shape> {
  return definition;
}
