// Fakes of modules for tests: a module definition with no tables, implementing a
// contract from the handlers a test gives, and a direct client for those handlers.
import { fileURLToPath } from 'node:url';
import type { CallContext, Contract, ModuleClient, OperationHandlers } from '../contract.js';
import { defineModule, type ModuleDefinition, type ModuleImplementation } from '../module.js';

/** NO_MIGRATIONS is an empty drizzle-kit folder, for fake modules that own no tables. */
export const NO_MIGRATIONS = fileURLToPath(new URL('./no-migrations', import.meta.url));

/**
 * fakeModule hosts `implementation` as the module of `contract`, with no tables.
 *
 * @example
 * const catalog = fakeModule(catalogContract, { operations: { ... }, routes() {} });
 * const t = await startTestHost({ modules: [cart, catalog] });
 */
export function fakeModule<C extends Contract>(
  contract: C,
  implementation: ModuleImplementation<C>,
  consumes: ModuleDefinition['consumes'] = [],
): ModuleDefinition<C> {
  return defineModule({
    contract,
    consumes,
    migrationsFolder: NO_MIGRATIONS,
    setup: () => implementation,
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
