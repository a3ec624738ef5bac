// The operation registry: every hosted module's handlers, invoked the same way
// whether the call came in-process or over the internal HTTP endpoint. Input
// and output are validated here, deadlines enforced, and every failure leaves as
// an AppError.
import type { CallContext, Contract, OperationHandlers } from './contract.js';
import { AppError, databaseUnreachable, isAppError, validationError } from './errors.js';
import type { Logger } from './logger.js';
import { runInScope } from './scope.js';
import { inSpan, SEAM_MODULE, SEAM_OPERATION, SpanKind, tracingOn } from './tracing.js';

interface RegisteredModule {
  contract: Contract;
  handlers: Record<string, (input: unknown, context: CallContext) => Promise<unknown>>;
  log: Logger;
}

export class OperationRegistry {
  readonly #modules = new Map<string, RegisteredModule>();

  register<C extends Contract>(contract: C, handlers: OperationHandlers<C>, log: Logger): void {
    for (const name of Object.keys(contract.operations)) {
      if (typeof (handlers as Record<string, unknown>)[name] !== 'function') {
        throw new Error(`Module ${contract.name} does not implement operation ${name}`);
      }
    }
    this.#modules.set(contract.name, {
      contract,
      handlers: handlers as unknown as RegisteredModule['handlers'],
      log,
    });
  }

  has(module: string): boolean {
    return this.#modules.has(module);
  }

  /**
   * invoke validates, runs and bounds one operation call: input checked against
   * the contract (400), the handler run in the call's scope and cut off at its
   * deadline (504), its output checked (a broken contract is a logged 500), and
   * anything unexpected turned into a 500 without internals. With tracing on,
   * the call is an INTERNAL span `<module>.<operation>`.
   */
  invoke(
    module: string,
    operation: string,
    input: unknown,
    context: CallContext,
  ): Promise<unknown> {
    if (!tracingOn()) return this.#invoke(module, operation, input, context);
    return inSpan(
      `${module}.${operation}`,
      SpanKind.INTERNAL,
      { [SEAM_MODULE]: module, [SEAM_OPERATION]: operation, 'seam.caller': context.caller },
      () => this.#invoke(module, operation, input, context),
    );
  }

  #invoke(
    module: string,
    operation: string,
    input: unknown,
    context: CallContext,
  ): Promise<unknown> {
    const registered = this.#modules.get(module);
    const definition = registered?.contract.operations[operation];
    const handler = registered?.handlers[operation];
    if (
      !registered ||
      !definition ||
      !handler ||
      !Object.hasOwn(registered.contract.operations, operation)
    ) {
      return Promise.reject(
        AppError.notFound(
          `No operation ${module}.${operation} is hosted here`,
          'unknown-operation',
        ),
      );
    }
    const parsed = definition.input.safeParse(input);
    if (!parsed.success) {
      return Promise.reject(validationError(parsed.error, `input of ${module}.${operation}`));
    }
    const remaining = context.deadline - Date.now();
    if (remaining <= 0) return Promise.reject(deadlineExceeded(module, operation));
    const failed = (error: unknown): AppError => {
      if (isAppError(error)) return error;
      const unreachable = databaseUnreachable(error);
      if (unreachable) return unreachable;
      registered.log.error(
        { err: error, operation, requestId: context.requestId, caller: context.caller },
        'operation failed',
      );
      return AppError.internal();
    };
    // One promise settled by whichever comes first, the handler or the deadline.
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(deadlineExceeded(module, operation)), remaining);
      let running: Promise<unknown>;
      try {
        running = runInScope({ requestId: context.requestId, deadline: context.deadline }, () =>
          handler(parsed.data, context),
        );
      } catch (error) {
        clearTimeout(timer);
        reject(failed(error));
        return;
      }
      running.then(
        (output) => {
          clearTimeout(timer);
          const checked = definition.output.safeParse(output);
          if (checked.success) {
            resolve(checked.data);
            return;
          }
          registered.log.error(
            { operation, requestId: context.requestId, issues: checked.error.issues },
            'operation returned output that breaks its contract',
          );
          reject(AppError.internal());
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(failed(error));
        },
      );
    });
  }
}

export function deadlineExceeded(module: string, operation: string): AppError {
  return new AppError({
    status: 504,
    detail: `The call to ${module}.${operation} did not finish before its deadline`,
  });
}
