// Serving a Hono app on Node: start listening, answer what Node refuses before
// the app sees it (a bad request line, oversized headers) as problem+json, and
// stop gracefully (stop accepting, let in-flight requests finish, then cut what
// is left).
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { AppError, PROBLEM_CONTENT_TYPE } from '../errors.js';
import type { Logger } from '../logger.js';
import { CLIENT_KEEP_ALIVE_MS, DRAINING_HEADER, SERVER_KEEP_ALIVE_MS } from '../remote/http.js';
import { SECURITY_HEADERS } from './security-headers.js';

export type { ServerType };

export interface ListenOptions {
  port: number;
  hostname: string;
  log: Logger;
  fields?: Record<string, unknown>;
  /** direct answers some requests before the app (true when it did); the host's internal endpoints. */
  direct?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * listenOn serves `fetch` on `hostname:port` (0 picks a free port) and logs the
 * URL with `fields`. Idle keep-alive connections are kept longer than Seam's
 * own client keeps them (see remote/http.ts), so the client always closes first.
 *
 * @example
 * const { server, url } = await listenOn(app.fetch, { port: 3000, hostname: '0.0.0.0', log });
 */
export function listenOn(
  fetch: (request: Request) => Response | Promise<Response>,
  options: ListenOptions,
): Promise<{ server: ServerType; port: number; url: string }> {
  const app = getRequestListener(fetch);
  const { direct } = options;
  const serve = (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers['content-length'] || req.headers['transfer-encoding']) closeIfUnread(req, res);
    return direct ? direct(req, res) || void app(req, res) : app(req, res);
  };
  const server = createServer({ keepAliveTimeout: SERVER_KEEP_ALIVE_MS }, serve);
  server.headersTimeout = SERVER_KEEP_ALIVE_MS + 1_000;
  server.on('clientError', (error, socket) => answerClientError(error, socket, options.log));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.hostname, () => {
      server.off('error', reject);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.hostname === '0.0.0.0' ? '127.0.0.1' : options.hostname;
      const url = `http://${host}:${port}`;
      options.log.info({ url, ...options.fields }, 'listening');
      resolve({ server, port, url });
    });
  });
}

/** drainedAt is when drainServer was called on a server. */
const drainedAt = new WeakMap<ServerType, number>();

/**
 * drainServer answers every further request with `Connection: close`, so a client
 * keeping a connection alive opens a new one — to another replica, once the
 * server's readiness turned it away — instead of reusing this one until the
 * listener closes under it; and with DRAINING_HEADER, how long until the
 * listener closes (`closesInMs` from now), so Seam's callers send their next
 * requests elsewhere at once. stopServer then leaves idle connections to their
 * clients (see IDLE_CLOSE_GRACE_MS).
 */
export function drainServer(server: ServerType, closesInMs = 0): void {
  const now = Date.now();
  const closesAt = now + closesInMs;
  drainedAt.set(server, now);
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.shouldKeepAlive = false;
    res.setHeader(DRAINING_HEADER, String(Math.max(0, closesAt - Date.now())));
  });
}

/**
 * closeIfUnread answers `Connection: close` when the response starts before the
 * request's body has arrived in full (a 401, 413 or 415 sent before the body is
 * read). @hono/node-server stops draining such a body after 500 ms and drops the
 * connection, so a client that reused it, told keep-alive, lost its next request.
 */
function closeIfUnread(req: IncomingMessage, res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!req.complete) this.shouldKeepAlive = false;
    return writeHead.apply(this, args);
  } as typeof writeHead;
}

/**
 * IDLE_CLOSE_GRACE_MS: a Seam client has closed every connection it left idle
 * this long ago (CLIENT_KEEP_ALIVE_MS, plus the second of slack of undici's
 * coarse keep-alive timer).
 */
export const IDLE_CLOSE_GRACE_MS = CLIENT_KEEP_ALIVE_MS + 1_500;

/**
 * stopServer stops accepting, waits for in-flight requests up to `timeoutMs`,
 * then closes the rest.
 *
 * A server that is not draining closes its idle keep-alive connections at once
 * (a developer's Ctrl-C). A draining one does not: closing an idle connection
 * races a caller that has just written a request onto it, which then gets a
 * reset it cannot tell from a crash mid-request — a non-idempotent call with an
 * unknown outcome. Every connection used since the drain began is closed after
 * its answer (`Connection: close`); the others are idle since before it, and
 * their Seam clients close them within `idleGraceMs` of its start. Only what is
 * still open then (a client that keeps connections longer) is closed here.
 */
export function stopServer(
  server: ServerType,
  timeoutMs: number,
  idleGraceMs = IDLE_CLOSE_GRACE_MS,
): Promise<void> {
  return new Promise((resolve) => {
    const timers: NodeJS.Timeout[] = [];
    const after = (ms: number, run: () => void) => timers.push(setTimeout(run, ms).unref());
    const closed = () => {
      for (const timer of timers) clearTimeout(timer);
      resolve();
    };
    const http = 'closeAllConnections' in server ? server : undefined;
    after(timeoutMs, () => http?.closeAllConnections());
    const since = drainedAt.get(server);
    if (since === undefined || !http) {
      // http.Server#close also closes the idle connections (Node ≥ 19).
      server.close(closed);
      http?.closeIdleConnections();
      return;
    }
    // net.Server#close only stops accepting; 'close' comes once every connection is gone.
    NetServer.prototype.close.call(http, closed);
    after(Math.max(0, since + idleGraceMs - Date.now()), () => http.closeIdleConnections());
  });
}

/** CLIENT_ERRORS maps Node's parser errors to the status Node itself would answer. */
const CLIENT_ERRORS: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: 'The request headers are larger than the server accepts',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    detail: 'The request was not received in time',
  },
};

/**
 * answerClientError writes the answer to a request Node could not parse, as a
 * problem document with the security headers, and closes the connection — in
 * place of Node's bare `400 Bad Request` or `431`. A connection already broken
 * or mid-answer is only closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, log: Logger): void {
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent) {
    socket.destroy();
    return;
  }
  const known = CLIENT_ERRORS[error.code ?? ''];
  const problem = new AppError({
    status: known?.status ?? 400,
    detail: known?.detail ?? 'The request could not be parsed as HTTP',
  });
  const requestId = randomUUID();
  log.debug({ requestId, code: error.code, status: problem.status }, 'client error');
  const body = JSON.stringify(problem.toProblem({ requestId }));
  const headers = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': requestId,
    ...SECURITY_HEADERS,
    connection: 'close',
  };
  const head = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status]}\r\n${head}\r\n${body}`);
}
