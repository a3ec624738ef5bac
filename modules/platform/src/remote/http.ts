// The one HTTP client between Seam processes: undici's connection pools used
// directly (no fetch, no WHATWG streams on the hot path), keep-alive, and the
// classification of failures every caller needs — did the request surely never
// leave (any method may try another replica), did the deadline pass, or is the
// outcome unknown (only idempotent requests may be repeated). Each request
// carries the active trace's `traceparent` inside a CLIENT span when tracing is on.
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import {
  failSpan,
  injectTraceContext,
  setHttpStatus,
  SpanKind,
  startSpan,
  tracingOn,
  withSpan,
  type Attributes,
} from '../tracing.js';

/**
 * The client closes an idle connection after CLIENT_KEEP_ALIVE_MS, well before
 * a Seam server does (SERVER_KEEP_ALIVE_MS, see http/serve.ts), and undici also
 * honours the server's `Keep-Alive: timeout` hint less a margin. So a request
 * is never written to a connection the server is closing as idle — the race
 * that would leave a non-idempotent call with an unknown outcome.
 */
export const CLIENT_KEEP_ALIVE_MS = 4_000;
export const SERVER_KEEP_ALIVE_MS = 65_000;

/**
 * DRAINING_HEADER is on every answer of a server that is shutting down: how many
 * milliseconds it still accepts connections. Seam's callers stop sending it new
 * requests (ReplicaSet#draining), so none connects just as its listener closes
 * (the kernel resets a connection it had accepted for the closed listener: a
 * non-idempotent call with an unknown outcome).
 */
export const DRAINING_HEADER = 'x-seam-draining';

/** drainingFor reads DRAINING_HEADER: undefined when the answering server is not draining. */
export function drainingFor(result: Pick<SendResult, 'headers'>): number | undefined {
  const value = result.headers[DRAINING_HEADER];
  if (typeof value !== 'string') return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

let shared: Agent | undefined;

/** agent is the process's one pool of keep-alive connections to other Seam processes. */
export function agent(): Agent {
  shared ??= new Agent({
    keepAliveTimeout: CLIENT_KEEP_ALIVE_MS,
    keepAliveMaxTimeout: CLIENT_KEEP_ALIVE_MS,
    connections: 256,
    pipelining: 1,
  });
  return shared;
}

export interface SendOptions {
  method: string;
  /** path with its query string, e.g. `/internal/operations/catalog/getProduct`. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer | Uint8Array | undefined;
  /** signal ends the request (the gateway's client leaving, say)… */
  signal?: AbortSignal;
  /** …timeoutMs bounds waiting for a connection and the answer's headers (one timer), then its body. */
  timeoutMs?: number;
  /** route is the path template naming the request's span (`/internal/operations/:module/:operation`). */
  route?: string;
  /** attributes are added to the request's span (`seam.module`, say). */
  attributes?: Attributes;
  /** traced: false keeps a routine request (a health probe) out of traces. */
  traced?: boolean;
}

export type SendResult = Dispatcher.ResponseData;

/**
 * send makes one request to `origin` (e.g. http://127.0.0.1:3001) on the shared pool.
 * `timeoutMs` and `signal` bound every phase. undici acts on an abort only once a
 * connection is made, and its headers and body timeouts start only once the
 * request is written, so the wait for a connection is ended here — to a
 * partitioned host (packets dropped, nothing refused) it would otherwise last
 * undici's 10 s connect timeout, past any deadline.
 */
export function send(origin: string, options: SendOptions): Promise<SendResult> {
  return tracingOn() && options.traced !== false
    ? tracedSend(origin, options)
    : dispatch(origin, options, options.headers);
}

/** tracedSend is send inside a CLIENT span whose `traceparent` the request carries. */
async function tracedSend(origin: string, options: SendOptions): Promise<SendResult> {
  const { method } = options;
  const url = new URL(origin);
  const span = startSpan(options.route ? `${method} ${options.route}` : method, SpanKind.CLIENT, {
    'http.request.method': method,
    'server.address': url.hostname,
    'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80),
    'url.full': `${origin}${options.path.split('?', 1)[0]}`,
    ...(options.route ? { 'url.template': options.route } : {}),
    ...options.attributes,
  });
  const headers = { ...options.headers };
  withSpan(span, () => injectTraceContext(headers));
  try {
    const result = await dispatch(origin, options, headers);
    setHttpStatus(span, result.statusCode, true);
    return result;
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** dispatch sends on the shared pool, bounded by the caller's signal and timeout. */
function dispatch(
  origin: string,
  options: SendOptions,
  headers: SendOptions['headers'],
): Promise<SendResult> {
  const { timeoutMs, signal } = options;
  const request: Dispatcher.RequestOptions = {
    origin,
    path: options.path,
    method: options.method as Dispatcher.HttpMethod,
    headers,
    body: options.body ?? null,
    ...(timeoutMs === undefined ? {} : { headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
  };
  if (timeoutMs === undefined && !signal) return agent().request(request);
  if (signal?.aborted) return Promise.reject(signal.reason);
  // The caller's signal goes to undici as is (it also ends the body); a deadline
  // only as undici's own timeouts plus the timer below, which costs less on every
  // call than an AbortController handed to undici.
  const pending = agent().request(signal ? { ...request, signal } : request);
  return new Promise<SendResult>((resolve, reject) => {
    let settled = false;
    const end = (reason: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(reason);
    };
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => end(new DeadlineError(timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', () => end(signal.reason), { once: true });
    pending.then(
      (result) => {
        if (settled) {
          // Too late: nobody reads it; read it to the end so the connection is reused
          // (destroying it would raise an 'error' nobody listens to, and end the process).
          result.body.dump().catch(() => {});
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => end(error),
    );
  });
}

/** DeadlineError ends a request whose time ran out before its answer's headers came. */
class DeadlineError extends Error {
  override readonly name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** Codes of failures raised before the request reached the server. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** SendFailure says what a failed request means for whoever wants to try again. */
export interface SendFailure {
  /** notSent: the request surely never reached the server; any method may go elsewhere. */
  notSent: boolean;
  /** aborted: the caller's signal ended it (its deadline, or its own client left). */
  aborted: boolean;
  /** reason is one line for logs and problems: `ECONNREFUSED`, `timed out`, `other side closed`. */
  reason: string;
}

/** classify reads a rejection of `send` (or of reading its body). */
export function classify(error: unknown): SendFailure {
  const err = error as { name?: string; code?: string; message?: string; cause?: unknown };
  if (
    error instanceof undiciErrors.RequestAbortedError ||
    err?.name === 'AbortError' ||
    err?.name === 'TimeoutError' ||
    err?.code === 'UND_ERR_ABORTED' ||
    err?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    err?.code === 'UND_ERR_BODY_TIMEOUT'
  ) {
    return { notSent: false, aborted: true, reason: 'timed out' };
  }
  const cause = err?.cause as { code?: string; message?: string } | undefined;
  const code = err?.code ?? cause?.code;
  return {
    notSent: code !== undefined && NOT_SENT.has(code),
    aborted: false,
    reason: code && code !== 'UND_ERR_SOCKET' ? code : (err?.message ?? String(error)),
  };
}

/** readJson reads a response body as JSON; undefined when it is empty or not JSON. */
export async function readJson(result: SendResult): Promise<unknown> {
  const text = await result.body.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
