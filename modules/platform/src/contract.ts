// Contracts: what a module lets others use. A contract names the module, its
// public HTTP routes (with their zod schemas) and its operations — the typed
// calls other modules make through a client. Contracts import only the platform.
import type { RouteConfig, z } from '@hono/zod-openapi';
import type { EventDefinition } from './events/define.js';

/** OperationDefinition is one module-to-module call. Schemas must be JSON-shaped. */
export interface OperationDefinition<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
> {
  summary: string;
  input: I;
  output: O;
  /** idempotent operations may be retried by a remote transport; others never are. */
  idempotent: boolean;
}

export type Operations = Record<string, OperationDefinition>;

export interface Contract<
  Name extends string = string,
  Ops extends Operations = Operations,
  Routes extends Record<string, RouteConfig> = Record<string, RouteConfig>,
  Events extends Record<string, EventDefinition> = Record<string, EventDefinition>,
> {
  /** name is the module name: its URL segment (`/api/<name>`) and Postgres schema. */
  readonly name: Name;
  readonly description: string;
  readonly operations: Ops;
  readonly routes: Routes;
  /** events are the domain events this module publishes (types `<name>.<Event>`). */
  readonly events?: Events;
}

/** CallContext reaches every operation handler, whichever transport carried the call. */
export interface CallContext {
  requestId: string;
  /** caller is the calling module's name (or `host` for the process itself). */
  caller: string;
  /** deadline is an epoch-millisecond instant after which the caller stops waiting. */
  deadline: number;
}

export type OperationInput<O extends OperationDefinition> = z.input<O['input']>;
export type OperationOutput<O extends OperationDefinition> = z.output<O['output']>;

/** OperationHandlers is what a module implements for its contract's operations. */
export type OperationHandlers<C extends Contract> = {
  [K in keyof C['operations']]: (
    input: z.output<C['operations'][K]['input']>,
    context: CallContext,
  ) => Promise<z.input<C['operations'][K]['output']>>;
};

export interface CallOptions {
  requestId?: string;
  /** timeoutMs bounds this call; the default comes from SEAM_CALL_TIMEOUT_MS. */
  timeoutMs?: number;
  /** deadline (epoch ms) propagates an upstream deadline; the earlier of the two wins. */
  deadline?: number;
}

/** ModuleClient is the typed surface a caller gets for another module's contract. */
export type ModuleClient<C extends Contract> = {
  [K in keyof C['operations']]: (
    input: z.input<C['operations'][K]['input']>,
    options?: CallOptions,
  ) => Promise<z.output<C['operations'][K]['output']>>;
};

const MODULE_NAME = /^[a-z][a-z0-9]*$/;

/**
 * defineContract declares a module's contract.
 *
 * @example
 * export const catalogContract = defineContract({
 *   name: 'catalog',
 *   description: 'Products and prices',
 *   operations: { getProduct: defineOperation({ summary, input, output, idempotent: true }) },
 *   routes: { listProducts },
 * });
 */
export function defineContract<
  const Name extends string,
  Ops extends Operations,
  Routes extends Record<string, RouteConfig>,
  Events extends Record<string, EventDefinition> = Record<never, EventDefinition>,
>(contract: Contract<Name, Ops, Routes, Events>): Contract<Name, Ops, Routes, Events> {
  if (!MODULE_NAME.test(contract.name)) {
    throw new Error(`Contract name "${contract.name}" must be lowercase letters and digits`);
  }
  for (const event of Object.values(contract.events ?? {})) {
    if (!event.type.startsWith(`${contract.name}.`)) {
      throw new Error(
        `Contract ${contract.name} declares ${event.type}; its events must start with "${contract.name}."`,
      );
    }
  }
  return Object.freeze(contract);
}

/** defineOperation keeps the input/output schema types for the typed client. */
export function defineOperation<I extends z.ZodType, O extends z.ZodType>(
  operation: OperationDefinition<I, O>,
): OperationDefinition<I, O> {
  return operation;
}
