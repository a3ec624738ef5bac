// Serving a Hono app on Node: start listening, and stop gracefully (stop
// accepting, let in-flight requests finish, then cut what is left).
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from '../logger.js';

export type { ServerType };

/**
 * listenOn serves `fetch` on `hostname:port` (0 picks a free port) and logs the
 * URL with `fields`.
 *
 * @example
 * const { server, url } = await listenOn(app.fetch, { port: 3000, hostname: '0.0.0.0', log });
 */
export function listenOn(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { port: number; hostname: string; log: Logger; fields?: Record<string, unknown> },
): Promise<{ server: ServerType; port: number; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: options.port, hostname: options.hostname }, (info) => {
      const host = options.hostname === '0.0.0.0' ? '127.0.0.1' : options.hostname;
      const url = `http://${host}:${info.port}`;
      options.log.info({ url, ...options.fields }, 'listening');
      resolve({ server, port: info.port, url });
    });
    server.once('error', reject);
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
