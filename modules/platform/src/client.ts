// The one client factory. A caller builds a typed client from a callee's
// contract; a transport carries the call — in-process (a direct call, no
// socket) or HTTP to the service hosting the callee. Both end in the callee's
// OperationRegistry, so validation, errors and status codes are identical.
import { randomBytes } from 'node:crypto';
import type { CallContext, CallOptions, Contract, ModuleClient } from './contract.js';
import { AppError, isAppError, PROBLEM_CONTENT_TYPE } from './errors.js';
import type { OperationRegistry } from './operations.js';
import { deadlineExceeded } from './operations.js';
import { classify, readJson, send } from './remote/http.js';
import { ReplicaSet, type Replica } from './remote/replicas.js';
import { currentScope } from './scope.js';
import {
  inSpan,
  SEAM_MODULE,
  SEAM_OPERATION,
  SEAM_TRANSPORT,
  SpanKind,
  tracingOn,
} from './tracing.js';

/** CallPolicy tells a transport what it may do on failure. */
export interface CallPolicy {
  /** idempotent operations may be retried; others only when the request surely never left. */
  idempotent: boolean;
}

/** Transport carries one operation call to wherever the callee runs. */
export interface Transport {
  readonly kind: 'in-process' | 'http';
  /** validatesOutput: the transport returns output its callee already checked against the contract. */
  readonly validatesOutput?: boolean;
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
/** The internal endpoints' path templates (span names, metrics routes). */
export const OPERATION_ROUTE = `${INTERNAL_OPERATIONS_PATH}/:module/:operation`;
export const EVENT_ROUTE = `${INTERNAL_EVENTS_PATH}/:module`;

export interface ClientOptions {
  /** caller names the calling module in logs and in the callee's CallContext. */
  caller: string;
  defaultTimeoutMs: number;
  /** observer is told how every call went (the host's Metrics). */
  observer?: CallObserver;
}

/** CallObserver records calls as their caller saw them: `outcome` is `ok` or the error's code. */
export interface CallObserver {
  /** recorder returns a function recording calls of one series (the client caches the `ok` ones). */
  recorder(
    module: string,
    operation: string,
    transport: Transport['kind'],
    outcome: string,
  ): (seconds: number) => void;
  observeCall(
    module: string,
    operation: string,
    transport: Transport['kind'],
    outcome: string,
    seconds: number,
  ): void;
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
  const { observer } = options;
  for (const [name, definition] of Object.entries(contract.operations)) {
    /** ok caches, per transport, the recorder of this operation's successful calls. */
    const ok: Partial<Record<Transport['kind'], (seconds: number) => void>> = {};
    const succeeded = (started: number, output: unknown): unknown => {
      if (observer) {
        const kind = transport.kind;
        (ok[kind] ??= observer.recorder(contract.name, name, kind, 'ok'))(elapsed(started));
      }
      return output;
    };
    const call = async (input: unknown, callOptions: CallOptions) => {
      // Measured inside the one async function: another promise layer would cost more than it.
      const started = observer ? performance.now() : 0;
      try {
        const scope = currentScope();
        const timeoutDeadline = Date.now() + (callOptions.timeoutMs ?? options.defaultTimeoutMs);
        const context: CallContext = {
          requestId: callOptions.requestId ?? scope?.requestId ?? localRequestId(),
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
        if (transport.validatesOutput) return succeeded(started, output);
        const parsed = definition.output.safeParse(output);
        if (!parsed.success) {
          throw new AppError({
            status: 502,
            code: 'invalid-response',
            detail: `${contract.name}.${name} answered with output that does not match its contract`,
          });
        }
        return succeeded(started, parsed.data);
      } catch (error) {
        if (observer) {
          const outcome = isAppError(error) ? error.code : 'internal';
          observer.observeCall(contract.name, name, transport.kind, outcome, elapsed(started));
        }
        throw error;
      }
    };
    const spanName = `${contract.name}.${name}`;
    client[name] = (input, callOptions = {}) =>
      tracingOn()
        ? inSpan(
            spanName,
            SpanKind.CLIENT,
            {
              [SEAM_MODULE]: contract.name,
              [SEAM_OPERATION]: name,
              [SEAM_TRANSPORT]: transport.kind,
              'seam.caller': options.caller,
            },
            () => call(input, callOptions),
          )
        : call(input, callOptions);
  }
  return client as ModuleClient<C>;
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

/** A call made outside any request gets an id of this process: a prefix and a counter. */
const LOCAL_ID_PREFIX = randomBytes(6).toString('hex');
let localCalls = 0;
function localRequestId(): string {
  localCalls = (localCalls + 1) % Number.MAX_SAFE_INTEGER;
  return `${LOCAL_ID_PREFIX}-${localCalls.toString(36)}`;
}

/**
 * createInProcessTransport calls the registry directly. Errors are passed through
 * their problem form so callers see exactly what the HTTP transport would give.
 */
export function createInProcessTransport(registry: OperationRegistry): Transport {
  return {
    kind: 'in-process',
    validatesOutput: true,
    call(module, operation, input, context) {
      return registry
        .invoke(module, operation, input, context)
        .catch((error: AppError) => Promise.reject(AppError.fromProblem(error.toProblem(), 500)));
    },
  };
}

export interface HttpTransportOptions {
  /** baseUrls are the replicas of the service hosting the callee, e.g. http://127.0.0.1:3001. */
  baseUrls?: readonly string[];
  /** baseUrl is the single-replica shorthand for `baseUrls: [baseUrl]`. */
  baseUrl?: string;
  /** replicas shares one ReplicaSet (and its ejections) between callers of the same service. */
  replicas?: ReplicaSet;
  serviceToken: string;
  /** retries is how many times a call is retried on another replica (default 2). */
  retries?: number;
  /** breakAfter consecutive transport failures eject a replica (default 3)… */
  breakAfter?: number;
  /** …for this long before one trial call is let through (default 5 s). */
  halfOpenAfterMs?: number;
  /** onAttempt is told the replica of every attempt (tests, tracing). */
  onAttempt?: (url: string) => void;
}

/** httpReplicas makes the ReplicaSet of a callee service with the transport's defaults. */
export function httpReplicas(
  service: string,
  urls: readonly string[],
  options: Pick<HttpTransportOptions, 'breakAfter' | 'halfOpenAfterMs'> = {},
): ReplicaSet {
  return new ReplicaSet({
    service,
    urls,
    ejectAfter: options.breakAfter ?? 3,
    ejectMs: options.halfOpenAfterMs ?? 1_000,
    trialAfterCooldown: true,
  });
}

/** Failure of one attempt: the error to surface and whether another replica may be tried. */
interface AttemptFailure {
  error: AppError;
  /** notSent: the request never reached the callee, so even a non-idempotent call may move on. */
  notSent: boolean;
  /** replicaFault: counts against the replica (its breaker); a callee's own answer does not. */
  replicaFault: boolean;
}

const RETRY_BASE_MS = 25;
const RETRY_MAX_MS = 1_000;

/**
 * createHttpTransport posts calls to `<replica>/internal/operations/<module>/<operation>`,
 * round robin over the replicas (see ReplicaSet): `breakAfter` consecutive
 * transport failures eject a replica until one trial call after `halfOpenAfterMs`.
 * Idempotent calls are retried on the next replica with exponential backoff and
 * jitter, within the call's deadline; other calls only when the request surely
 * never left (connection refused). Errors the callee answers (4xx, its own
 * problems) are never retried and arrive as the same AppError.
 */
export function createHttpTransport(options: HttpTransportOptions): Transport {
  const urls = options.baseUrls ?? (options.baseUrl ? [options.baseUrl] : []);
  if (!options.replicas && urls.length === 0) {
    throw new Error('createHttpTransport needs at least one URL');
  }
  const replicas = options.replicas ?? httpReplicas('callee', urls, options);
  const retries = options.retries ?? 2;

  const attempt = async (
    replica: Replica,
    module: string,
    operation: string,
    input: unknown,
    context: CallContext,
  ): Promise<unknown> => {
    const remaining = context.deadline - Date.now();
    if (remaining <= 0) throw failure(deadlineExceeded(module, operation), false, false);
    options.onAttempt?.(replica.url);
    let result;
    let body: unknown;
    try {
      result = await send(replica.url, {
        method: 'POST',
        path: `${INTERNAL_OPERATIONS_PATH}/${module}/${operation}`,
        headers: {
          'content-type': 'application/json',
          accept: `application/json, ${PROBLEM_CONTENT_TYPE}`,
          [SERVICE_TOKEN_HEADER]: options.serviceToken,
          [REQUEST_ID_HEADER]: context.requestId,
          [CALLER_HEADER]: context.caller,
          [DEADLINE_HEADER]: String(context.deadline),
        },
        body: JSON.stringify(input ?? null),
        timeoutMs: remaining,
        route: OPERATION_ROUTE,
        attributes: { [SEAM_MODULE]: module, [SEAM_OPERATION]: operation },
      });
      replicas.answered(replica, result);
      body = await readJson(result);
    } catch (error) {
      const why = classify(error);
      if (why.aborted) throw failure(deadlineExceeded(module, operation), false, true);
      throw failure(
        AppError.unavailable(
          `Module ${module} is unreachable: ${why.reason}`,
          'module-unreachable',
        ),
        why.notSent,
        true,
      );
    }
    const status = result.statusCode;
    if (status >= 200 && status < 300 && body !== undefined) return body;
    if (body === undefined) {
      throw failure(
        new AppError({
          status: 502,
          code: 'invalid-response',
          detail: `Module ${module} answered ${status} without a JSON body`,
        }),
        false,
        true,
      );
    }
    const error = AppError.fromProblem(body, 502);
    // A 502/503 from the service itself (not from its domain) counts against the replica.
    const replicaFault =
      (status === 502 || status === 503) &&
      !['module-unreachable', 'module-unavailable'].includes(error.code);
    throw failure(error, false, replicaFault);
  };

  return {
    kind: 'http',
    async call(module, operation, input, context, policy) {
      for (let retry = 0; ; retry++) {
        const replica = replicas.pick();
        if (!replica) {
          throw AppError.unavailable(
            `Module ${module} is unavailable: every replica failed recently (circuit open)`,
            'module-unavailable',
          );
        }
        try {
          const output = await attempt(replica, module, operation, input, context);
          replicas.succeeded(replica);
          return output;
        } catch (thrown) {
          if (!isAttemptFailure(thrown)) throw thrown;
          const failed = thrown;
          if (!failed.replicaFault) {
            replicas.succeeded(replica);
            throw failed.error;
          }
          replicas.failed(replica, failed.error.detail);
          const retryable =
            failed.error.status !== 504 &&
            (policy.idempotent || failed.notSent) &&
            retry < retries &&
            context.deadline - Date.now() > 10;
          if (!retryable) throw failed.error;
          const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** retry);
          const pause = Math.min(
            Math.round(ceiling * (0.5 + Math.random() * 0.5)),
            Math.max(0, context.deadline - Date.now() - 10),
          );
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    },
  };
}

const ATTEMPT_FAILURE = Symbol('attempt failure');

function failure(error: AppError, notSent: boolean, replicaFault: boolean): AttemptFailure {
  return { error, notSent, replicaFault, [ATTEMPT_FAILURE]: true } as AttemptFailure;
}

function isAttemptFailure(thrown: unknown): thrown is AttemptFailure {
  return typeof thrown === 'object' && thrown !== null && ATTEMPT_FAILURE in thrown;
}
