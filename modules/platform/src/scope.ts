// The call scope: the request id and deadline of the work in progress, carried
// through async calls with AsyncLocalStorage, so a module calling another module
// propagates both without passing them by hand.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CallScope {
  requestId: string;
  /** deadline is an epoch-millisecond instant; undefined means "no upstream deadline". */
  deadline: number | undefined;
}

const storage = new AsyncLocalStorage<CallScope>();

/** runInScope runs `fn` with `scope` as the current call scope. */
export function runInScope<T>(scope: CallScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** currentScope is the scope of the request or operation being served, if any. */
export function currentScope(): CallScope | undefined {
  return storage.getStore();
}
