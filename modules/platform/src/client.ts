// The one client factory. A caller builds a typed client from a callee's
// contract; a transport carries the call — in-process (a direct call, no
// socket) or HTTP to the service hosting the callee. Both end in the callee's
// OperationRegistry, so validation, errors and status codes are identical.
import { randomUUID } from 'node:crypto';
import type { CallContext, CallOptions, Contract, ModuleClient } from './contract.js';
import { AppError, PROBLEM_CONTENT_TYPE } from './errors.js';
import type { OperationRegistry } from './operations.js';
import { deadlineExceeded } from './operations.js';

/** Transport carries one operation call to wherever the callee runs. */
export interface Transport {
  readonly kind: 'in-process' | 'http';
  call(module: string, operation: string, input: unknown, context: CallContext): Promise<unknown>;
}

/** Header names of the internal operation endpoint. */
export const SERVICE_TOKEN_HEADER = 'x-seam-service-token';
export const DEADLINE_HEADER = 'x-seam-deadline';
export const CALLER_HEADER = 'x-seam-caller';
export const REQUEST_ID_HEADER = 'x-request-id';
/** INTERNAL_OPERATIONS_PATH is never routed by the gateway nor listed in OpenAPI. */
export const INTERNAL_OPERATIONS_PATH = '/internal/operations';
/** INTERNAL_EVENTS_PATH receives event deliveries for a subscriber module. */
export const INTERNAL_EVENTS_PATH = '/internal/events';

export interface ClientOptions {
  /** caller names the calling module in logs and in the callee's CallContext. */
  caller: string;
  defaultTimeoutMs: number;
}

/**
 * createClient builds a typed client for `contract` over `transport`.
 *
 * @example
 * const catalog = createClient(catalogContract, transport, { caller: 'cart', defaultTimeoutMs: 5000 });
 * const product = await catalog.getProduct({ id });
 */
export function createClient<C extends Contract>(
  contract: C,
  transport: Transport,
  options: ClientOptions,
): ModuleClient<C> {
  const client: Record<string, (input: unknown, callOptions?: CallOptions) => Promise<unknown>> =
    {};
  for (const [name, definition] of Object.entries(contract.operations)) {
    client[name] = async (input, callOptions = {}) => {
      const timeoutDeadline = Date.now() + (callOptions.timeoutMs ?? options.defaultTimeoutMs);
      const context: CallContext = {
        requestId: callOptions.requestId ?? randomUUID(),
        caller: options.caller,
        deadline: Math.min(timeoutDeadline, callOptions.deadline ?? Number.POSITIVE_INFINITY),
      };
      const output = await transport.call(contract.name, name, input, context);
      const parsed = definition.output.safeParse(output);
      if (!parsed.success) {
        throw new AppError({
          status: 502,
          code: 'invalid-response',
          detail: `${contract.name}.${name} answered with output that does not match its contract`,
        });
      }
      return parsed.data;
    };
  }
  return client as ModuleClient<C>;
}

/**
 * createInProcessTransport calls the registry directly. Errors are passed through
 * their problem form so callers see exactly what the HTTP transport would give.
 */
export function createInProcessTransport(registry: OperationRegistry): Transport {
  return {
    kind: 'in-process',
    async call(module, operation, input, context) {
      try {
        return await registry.invoke(module, operation, input, context);
      } catch (error) {
        throw AppError.fromProblem((error as AppError).toProblem(), 500);
      }
    },
  };
}

export interface HttpTransportOptions {
  /** baseUrl is the origin of the service hosting the callee, e.g. http://127.0.0.1:3001. */
  baseUrl: string;
  serviceToken: string;
  fetch?: typeof fetch;
}

/** createHttpTransport posts calls to `${baseUrl}/internal/operations/<module>/<operation>`. */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const fetchImpl = options.fetch ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  return {
    kind: 'http',
    async call(module, operation, input, context) {
      const remaining = context.deadline - Date.now();
      if (remaining <= 0) throw deadlineExceeded(module, operation);
      let response: Response;
      try {
        response = await fetchImpl(`${baseUrl}${INTERNAL_OPERATIONS_PATH}/${module}/${operation}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: `application/json, ${PROBLEM_CONTENT_TYPE}`,
            [SERVICE_TOKEN_HEADER]: options.serviceToken,
            [REQUEST_ID_HEADER]: context.requestId,
            [CALLER_HEADER]: context.caller,
            [DEADLINE_HEADER]: String(context.deadline),
          },
          body: JSON.stringify(input ?? null),
          signal: AbortSignal.timeout(remaining),
        });
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'TimeoutError' || name === 'AbortError')
          throw deadlineExceeded(module, operation);
        throw AppError.unavailable(
          `Module ${module} at ${baseUrl} is unreachable: ${(error as Error).cause ? String((error as { cause: Error }).cause.message) : (error as Error).message}`,
          'module-unreachable',
        );
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new AppError({
          status: 502,
          code: 'invalid-response',
          detail: `Module ${module} at ${baseUrl} answered ${response.status} without a JSON body`,
        });
      }
      if (response.ok) return body;
      throw AppError.fromProblem(body, 502);
    },
  };
}
