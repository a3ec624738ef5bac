// Serving a Hono app on Node: start listening, and stop gracefully (stop
// accepting, let in-flight requests finish, then cut what is left).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import type { Logger } from '../logger.js';
import { SERVER_KEEP_ALIVE_MS } from '../remote/http.js';

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
  const server = createServer(
    { keepAliveTimeout: SERVER_KEEP_ALIVE_MS },
    direct ? (req, res) => direct(req, res) || void app(req, res) : app,
  );
  server.headersTimeout = SERVER_KEEP_ALIVE_MS + 1_000;
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
