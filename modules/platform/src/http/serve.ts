// Serving a Hono app on Node: start listening, answer what Node refuses before
// the app sees it (a bad request line, oversized headers) as problem+json, and
// stop gracefully (stop accepting, let in-flight requests finish, then cut what
// is left).
import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { AppError, PROBLEM_CONTENT_TYPE } from '../errors.js';
import type { Logger } from '../logger.js';
import { SERVER_KEEP_ALIVE_MS } from '../remote/http.js';
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

/**
 * drainServer answers every further request with `Connection: close`, so a client
 * keeping a connection alive opens a new one — to another replica, once the
 * server's readiness turned it away — instead of reusing this one until the
 * listener closes under it.
 */
export function drainServer(server: ServerType): void {
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    res.shouldKeepAlive = false;
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

/** stopServer stops accepting, waits for in-flight requests up to `timeoutMs`, then closes the rest. */
export function stopServer(server: ServerType, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, timeoutMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
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
