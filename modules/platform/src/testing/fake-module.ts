// Fakes of modules for tests: a module definition with no tables, implementing a
// contract from the handlers a test gives, a direct client for those handlers,
// and the switches every contract's fake (`@seam/<module>-contract/testing`) has.
import { fileURLToPath } from 'node:url';
import type { PlatformConfig } from '../config.js';
import type { CallContext, Contract, ModuleClient, OperationHandlers } from '../contract.js';
import { AppError } from '../errors.js';
import {
  defineModule,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleImplementation,
} from '../module.js';

/** NO_MIGRATIONS is an empty drizzle-kit folder, for fake modules that own no tables. */
export const NO_MIGRATIONS = fileURLToPath(new URL('./no-migrations', import.meta.url));

/**
 * fakeModule hosts `implementation` as the module of `contract`, with no tables.
 * Pass a function to get the module's context (its outbox, to publish events).
 *
 * @example
 * const catalog = fakeModule(catalogContract, { operations: { ... }, routes() {} });
 * const t = await startTestHost({ modules: [cart, catalog] });
 */
export function fakeModule<C extends Contract>(
  contract: C,
  implementation:
    ModuleImplementation<C> | ((context: ModuleContext<PlatformConfig>) => ModuleImplementation<C>),
  consumes: ModuleDefinition['consumes'] = [],
): ModuleDefinition<C> {
  return defineModule({
    contract,
    consumes,
    migrationsFolder: NO_MIGRATIONS,
    setup: (context) =>
      typeof implementation === 'function' ? implementation(context) : implementation,
  });
}

/**
 * fakeClient calls `handlers` directly, as a typed client of `contract` would
 * (no validation, no transport): for unit tests of code that takes a client.
 */
export function fakeClient<C extends Contract>(
  handlers: OperationHandlers<C>,
  caller = 'test',
): ModuleClient<C> {
  const context = (): CallContext => ({
    requestId: 'test',
    caller,
    deadline: Date.now() + 30_000,
  });
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      (input: unknown) =>
        (handler as (input: unknown, call: CallContext) => Promise<unknown>)(input, context()),
    ]),
  ) as ModuleClient<C>;
}

/** FakeSwitches are what a test flips on any contract's fake, whatever its state. */
export interface FakeSwitches<C extends Contract> {
  /** unavailable makes every call fail as an unreachable module (503 `module-unreachable`). */
  unavailable: boolean;
  /** before runs first in every call, with the operation's name and input (to fail, delay or record it). */
  before?: (operation: OperationName<C>, input: unknown) => Promise<void>;
}

/** OperationName is the name of one of a contract's operations. */
export type OperationName<C extends Contract> = keyof C['operations'] & string;

/** FakeCalls counts a fake's calls per operation, answered or not. */
export type FakeCalls<C extends Contract> = Record<OperationName<C>, number>;

/** ContractFake is a contract's fake: its switches and call counts, hosted as `.module` or called as `.client`. */
export interface ContractFake<C extends Contract> extends FakeSwitches<C> {
  /** calls counts every call per operation, including those `before` or `unavailable` failed. */
  readonly calls: FakeCalls<C>;
  /** module hosts the fake as the module of its contract (no tables). */
  readonly module: ModuleDefinition<C>;
  /** client calls the fake directly, without a host. */
  readonly client: ModuleClient<C>;
}

/**
 * fakeOperations wraps a fake's handlers: every call is counted in `calls`, then
 * runs the fake's `before` hook, then fails if it is `unavailable`, and only then
 * does its own work. `switches` is read at each call, so a fake can pass a getter
 * of itself before it exists.
 *
 * @example
 * const { operations, calls } = fakeOperations(catalogContract, () => fake, {
 *   async getProduct({ id }) { ... },
 * });
 * const fake: FakeCatalog = { unavailable: false, calls, module: fakeModule(...), ... };
 */
export function fakeOperations<C extends Contract>(
  contract: C,
  switches: () => FakeSwitches<C>,
  handlers: OperationHandlers<C>,
): { operations: OperationHandlers<C>; calls: FakeCalls<C> } {
  const names = Object.keys(handlers) as OperationName<C>[];
  const calls = Object.fromEntries(names.map((name) => [name, 0])) as FakeCalls<C>;
  const operations = Object.fromEntries(
    names.map((name) => [
      name,
      async (input: unknown, call: CallContext) => {
        calls[name] += 1;
        const fake = switches();
        await fake.before?.(name, input);
        if (fake.unavailable) {
          throw AppError.unavailable(`The fake ${contract.name} is down`, 'module-unreachable');
        }
        const handler = handlers[name] as (input: unknown, call: CallContext) => Promise<unknown>;
        return handler(input, call);
      },
    ]),
  ) as OperationHandlers<C>;
  return { operations, calls };
}
