// Sending one request to the public API and reading its answer: the bearer token,
// the JSON body and its content type, extra headers such as Idempotency-Key. The
// same code runs in-process (`app.request`) and over HTTP (`fetchRequester`), and
// so does the generated client (`seamClient`). `send` also sends what the typed
// client refuses to: malformed bodies, undocumented routes, missing headers.
import { createSeamClient, type SeamClient } from '@seam/client';

/** Requester sends one request to a path of the shop: `app.request`, or fetch against a base URL. */
export type Requester = (path: string, init: RequestInit) => Promise<Response>;

/**
 * fetchRequester sends over HTTP to `baseUrl` (the server's or the gateway's),
 * giving up after `timeoutMs` when set.
 *
 * @example
 * const api = shop(fetchRequester(server.url, { timeoutMs: 30_000 }));
 */
export function fetchRequester(baseUrl: string, options: { timeoutMs?: number } = {}): Requester {
  const { timeoutMs } = options;
  return (path, init) =>
    fetch(
      `${baseUrl}${path}`,
      timeoutMs === undefined ? init : { ...init, signal: AbortSignal.timeout(timeoutMs) },
    );
}

/** ORIGIN is the placeholder origin of the generated client's requests; the requester routes them. */
const ORIGIN = 'http://seam.shopper';

/**
 * seamClient is the generated client (@seam/client) sending through `request`,
 * in-process or over HTTP alike.
 *
 * @example
 * const seam = seamClient(fetchRequester(server.url));
 * const { data } = await seam.GET('/api/catalog/products', { params: { query: { limit: 5 } } });
 */
export function seamClient(request: Requester): SeamClient {
  return createSeamClient({
    baseUrl: ORIGIN,
    fetch: async (req) => {
      const body = req.body === null ? undefined : await req.text();
      // Plain headers, as `send` gives: requesters may spread them to add their own.
      return request(req.url.slice(ORIGIN.length), {
        method: req.method,
        headers: Object.fromEntries(req.headers),
        ...(body === undefined ? {} : { body }),
      });
    },
  });
}

export interface SendOptions {
  /** body is sent as is when it is a string, as JSON otherwise; content-type defaults to JSON. */
  body?: unknown;
  /** token is sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** headers are sent as given (names lowercased), e.g. `idempotency-key` or a content-type. */
  headers?: Record<string, string>;
}

/**
 * send sends `method path` through `request` and returns the answer, whatever its status.
 *
 * @example
 * const res = await send(request, 'POST', '/api/cart/items', { body: line, token });
 */
export function send(
  request: Requester,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  return request(path, { method, headers, ...(body === undefined ? {} : { body }) });
}

/** MESSAGE_BODY_CHARS is how much of an answer an error message quotes. */
const MESSAGE_BODY_CHARS = 2_000;

/** UnexpectedStatusError is an answer with another status than the one expected. */
export class UnexpectedStatusError extends Error {
  constructor(
    /** request is the method and path, e.g. `POST /api/orders`. */
    readonly request: string,
    readonly status: number,
    readonly expected: number,
    /** body is the answer's text. */
    readonly body: string,
  ) {
    super(`${request} → ${status} (expected ${expected}): ${body.slice(0, MESSAGE_BODY_CHARS)}`);
    this.name = 'UnexpectedStatusError';
  }
}

/**
 * readAnswer reads the JSON answer to `request` (method and path, for the message),
 * or undefined for an empty one. It throws an UnexpectedStatusError unless the
 * status is `expected`, and an Error unless the type is JSON (a problem for 4xx and 5xx).
 *
 * @example
 * const order = await readAnswer<Order>(await api.checkout(ada), 201, 'POST /api/orders');
 */
export async function readAnswer<T>(res: Response, expected: number, request: string): Promise<T> {
  const text = await res.text();
  if (res.status !== expected) throw new UnexpectedStatusError(request, res.status, expected, text);
  if (!text) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const json = expected >= 400 ? /^application\/problem\+json/ : /^application\/json/;
  if (!json.test(type)) {
    throw new Error(
      `${request} → ${res.status} answered ${type || 'no content type'}: ${text.slice(0, MESSAGE_BODY_CHARS)}`,
    );
  }
  return JSON.parse(text) as T;
}
