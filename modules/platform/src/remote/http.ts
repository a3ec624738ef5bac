// The one HTTP client between Seam processes: undici's connection pools used
// directly (no fetch, no WHATWG streams on the hot path), keep-alive, and the
// classification of failures every caller needs — did the request surely never
// leave (any method may try another replica), did the deadline pass, or is the
// outcome unknown (only idempotent requests may be repeated).
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';

/**
 * The client closes an idle connection after CLIENT_KEEP_ALIVE_MS, well before
 * a Seam server does (SERVER_KEEP_ALIVE_MS, see http/serve.ts), and undici also
 * honours the server's `Keep-Alive: timeout` hint less a margin. So a request
 * is never written to a connection the server is closing as idle — the race
 * that would leave a non-idempotent call with an unknown outcome.
 */
export const CLIENT_KEEP_ALIVE_MS = 4_000;
export const SERVER_KEEP_ALIVE_MS = 65_000;

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
  /** …timeoutMs bounds waiting for the answer's headers and then its body (no timer object per call). */
  timeoutMs?: number;
}

export type SendResult = Dispatcher.ResponseData;

/** send makes one request to `origin` (e.g. http://127.0.0.1:3001) on the shared pool. */
export function send(origin: string, options: SendOptions): Promise<SendResult> {
  return agent().request({
    origin,
    path: options.path,
    method: options.method as Dispatcher.HttpMethod,
    headers: options.headers,
    body: options.body ?? null,
    signal: options.signal,
    ...(options.timeoutMs === undefined
      ? {}
      : { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs }),
  });
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
