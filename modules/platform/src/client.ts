// The one client factory. A caller builds a typed client from a callee's
// contract; a transport carries the call — in-process (a direct call, no
// socket) or HTTP to the service hosting the callee. Both end in the callee's
// OperationRegistry, so validation, errors and status codes are identical.
import { randomUUID } from 'node:crypto';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { CallContext, CallOptions, Contract, ModuleClient } from './contract.js';
import { AppError, PROBLEM_CONTENT_TYPE } from './errors.js';
import type { OperationRegistry } from './operations.js';
import { deadlineExceeded } from './operations.js';
import { currentScope } from './scope.js';

/** CallPolicy tells a transport what it may do on failure. */
export interface CallPolicy {
  /** idempotent operations may be retried; others only when the request surely never left. */
  idempotent: boolean;
}

/** Transport carries one operation call to wherever the callee runs. */
export interface Transport {
  readonly kind: 'in-process' | 'http';
  call(
    module: string,
    operation: string,
    input: unknown,
    context: CallContext,
    policy: CallPolicy,
  ): Promise<unknown>;
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
 * createClient builds a typed client for `contract` over `transport`. The
 * request id and deadline of the request or operation being served are
 * propagated: a call never outlives the deadline of the call that caused it.
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
      const scope = currentScope();
      const timeoutDeadline = Date.now() + (callOptions.timeoutMs ?? options.defaultTimeoutMs);
      const context: CallContext = {
        requestId: callOptions.requestId ?? scope?.requestId ?? randomUUID(),
        caller: options.caller,
        deadline: Math.min(
          timeoutDeadline,
          callOptions.deadline ?? Number.POSITIVE_INFINITY,
          scope?.deadline ?? Number.POSITIVE_INFINITY,
        ),
      };
      const output = await transport.call(contract.name, name, input, context, {
        idempotent: definition.idempotent,
      });
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
  /** baseUrls are the replicas of the service hosting the callee, e.g. http://127.0.0.1:3001. */
  baseUrls?: readonly string[];
  /** baseUrl is the single-replica shorthand for `baseUrls: [baseUrl]`. */
  baseUrl?: string;
  serviceToken: string;
  /** retries is how many times an idempotent call is retried on another replica (default 2). */
  retries?: number;
  /** breakAfter consecutive transport failures eject a replica (default 3)… */
  breakAfter?: number;
  /** …for this long before one probe call is let through (default 5 s). */
  halfOpenAfterMs?: number;
  fetch?: typeof fetch;
}

/** TransportFailure marks failures of the transport itself (not the callee's answers). */
class TransportFailure extends Error {
  constructor(
    readonly error: AppError,
    /** refused means the request certainly never reached the callee. */
    readonly refused: boolean,
  ) {
    super(error.detail);
  }
}

interface Replica {
  url: string;
  breaker: CircuitBreakerPolicy;
  /** probeAt is when an ejected replica may take a probe call (cockatiel half-opens lazily). */
  probeAt: number;
}

/**
 * createHttpTransport posts calls to `<replica>/internal/operations/<module>/<operation>`,
 * round robin over the replicas. Each replica has a circuit breaker (cockatiel):
 * after `breakAfter` consecutive transport failures it is ejected and probed
 * again after `halfOpenAfterMs`. Idempotent calls are retried on the next
 * replica with exponential backoff and jitter, within the call's deadline;
 * other calls only when the connection was refused. Errors the callee answers
 * (4xx, its own problems) are never retried and arrive as the same AppError.
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const fetchImpl = options.fetch ?? fetch;
  const urls = options.baseUrls ?? (options.baseUrl ? [options.baseUrl] : []);
  if (urls.length === 0) throw new Error('createHttpTransport needs at least one URL');
  const halfOpenAfter = options.halfOpenAfterMs ?? 5_000;
  const replicas: Replica[] = urls.map((url) => {
    const breaker = circuitBreaker(
      handleWhen((error) => error instanceof TransportFailure),
      { halfOpenAfter, breaker: new ConsecutiveBreaker(options.breakAfter ?? 3) },
    );
    const replica: Replica = { url: url.replace(/\/+$/, ''), breaker, probeAt: 0 };
    breaker.onBreak(() => {
      replica.probeAt = Date.now() + halfOpenAfter;
    });
    return replica;
  });
  let next = 0;
  const usable = (replica: Replica) =>
    replica.breaker.state !== CircuitState.Open || Date.now() >= replica.probeAt;
  const pick = (): Replica => {
    for (let i = 0; i < replicas.length; i++) {
      const replica = replicas[(next + i) % replicas.length]!;
      if (usable(replica)) {
        next = (next + i + 1) % replicas.length;
        return replica;
      }
    }
    const replica = replicas[next % replicas.length]!;
    next = (next + 1) % replicas.length;
    return replica;
  };

  const attempt = async (
    replica: Replica,
    module: string,
    operation: string,
    input: unknown,
    context: CallContext,
  ): Promise<unknown> => {
    const remaining = context.deadline - Date.now();
    if (remaining <= 0) throw deadlineExceeded(module, operation);
    let response: Response;
    try {
      response = await fetchImpl(
        `${replica.url}${INTERNAL_OPERATIONS_PATH}/${module}/${operation}`,
        {
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
        },
      );
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new TransportFailure(deadlineExceeded(module, operation), false);
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new TransportFailure(
        AppError.unavailable(
          `Module ${module} at ${replica.url} is unreachable: ${cause?.message ?? (error as Error).message}`,
          'module-unreachable',
        ),
        cause?.code === 'ECONNREFUSED',
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new TransportFailure(
        new AppError({
          status: 502,
          code: 'invalid-response',
          detail: `Module ${module} at ${replica.url} answered ${response.status} without a JSON body`,
        }),
        false,
      );
    }
    if (response.ok) return body;
    const error = AppError.fromProblem(body, 502);
    // A 502/503 from the service itself (not from its domain) counts against the replica.
    if (response.status === 502 || response.status === 503) {
      if (!['module-unreachable', 'module-unavailable'].includes(error.code)) {
        throw new TransportFailure(error, false);
      }
    }
    throw error;
  };

  return {
    kind: 'http',
    async call(module, operation, input, context, policy) {
      const retries = options.retries ?? 2;
      const retryPolicy = retry(
        handleWhen(
          (error) =>
            error instanceof TransportFailure &&
            error.error.status !== 504 &&
            (policy.idempotent || error.refused) &&
            context.deadline - Date.now() > 10,
        ),
        {
          maxAttempts: retries,
          backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 1_000 }),
        },
      );
      try {
        return await retryPolicy.execute(() => {
          const replica = pick();
          return replica.breaker.execute(() => attempt(replica, module, operation, input, context));
        });
      } catch (error) {
        if (error instanceof TransportFailure) throw error.error;
        if (error instanceof BrokenCircuitError) {
          throw AppError.unavailable(
            `Module ${module} is unavailable: every replica failed recently (circuit open)`,
            'module-unavailable',
          );
        }
        throw error;
      }
    },
  };
}
