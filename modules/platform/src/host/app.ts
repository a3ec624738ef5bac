// The host's app: the base app (request ids, log, metrics, body limit, health,
// problems) plus the hosted modules' routes under /api/<module>, the events
// admin routes, the internal endpoints, the merged OpenAPI document and docs.
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { DEADLINE_HEADER } from '../client.js';
import type { PlatformConfig } from '../config.js';
import type { DatabaseHandle } from '../database.js';
import { EVENTS_ROUTER_NAME } from '../events/admin-routes.js';
import { CONSOLE_ROUTER_NAME } from './console.js';
import { authenticate } from '../http/auth.js';
import { createBaseApp, type Readiness } from '../http/base-app.js';
import { mountConsolePage } from '../http/console-page.js';
import { mountDocs } from '../http/docs.js';
import type { SeamEnv } from '../http/env.js';
import type { Metrics } from '../http/metrics.js';
import type { OpenApiDocument } from '../http/openapi.js';
import type { RecentErrors } from '../http/recent-errors.js';
import type { Logger } from '../logger.js';
import type { ModuleApp } from '../module.js';
import { runInScope } from '../scope.js';
import type { TokenVerifier } from '../auth.js';

export interface HostAppParts {
  config: PlatformConfig;
  log: Logger;
  metrics: Metrics;
  database: DatabaseHandle;
  verifier: TokenVerifier | undefined;
  /** routers are the hosted modules' routers, by module name. */
  routers: { name: string; router: ModuleApp; document: () => OpenApiDocument }[];
  eventsRouter: ModuleApp;
  consoleRouter: ModuleApp;
  recentErrors: RecentErrors;
  /** consoleDir holds the built console page (apps/console/dist); without it /console answers 503. */
  consoleDir: string | undefined;
  /** document renders (once) the merged document /openapi.json serves. */
  document: () => OpenApiDocument;
  /** internal mounts the internal endpoints (see internal.ts). */
  internal: (app: Hono<SeamEnv>) => void;
  isReady: () => boolean;
}

/** hostReadiness answers /health/ready: the process is not shutting down and the database answers. */
export async function hostReadiness(
  parts: Pick<HostAppParts, 'database' | 'isReady'>,
): Promise<Readiness> {
  let ready = parts.isReady();
  const checks: Record<string, string> = { process: ready ? 'ok' : 'shutting down' };
  try {
    await parts.database.ping();
    checks.database = 'ok';
  } catch (error) {
    ready = false;
    checks.database = (error as Error).message;
  }
  return {
    ready,
    body: { status: ready ? 'ready' : 'unavailable', database: parts.database.kind, checks },
  };
}

export function buildHostApp(parts: HostAppParts): Hono<SeamEnv> {
  const { config } = parts;
  const modules = parts.routers.map((r) => r.name);
  const app = createBaseApp<SeamEnv>({
    service: config.SEAM_SERVICE,
    modules,
    log: parts.log,
    metrics: parts.metrics,
    bodyLimitBytes: config.SEAM_BODY_LIMIT_BYTES,
    corsOrigins: config.SEAM_CORS_ORIGINS,
    recentErrors: parts.recentErrors,
    readiness: () => hostReadiness(parts),
  });

  // Every /api request runs in its own call scope (request id and deadline for
  // the calls it makes) with the bearer token, if any, verified. The deadline is
  // the one the gateway puts on what it forwards (it strips the header from the
  // public side); a client that sets it directly can only shorten its own request.
  const verify = authenticate(parts.verifier);
  const scoped: MiddlewareHandler<SeamEnv> = (c, next) =>
    runInScope({ requestId: c.get('requestId'), deadline: requestDeadline(c) }, () =>
      verify(c, next),
    );
  app.use('/api/*', scoped);

  for (const { name, router } of parts.routers) app.route(`/api/${name}`, router);
  app.route(`/api/${EVENTS_ROUTER_NAME}`, parts.eventsRouter);
  app.route(`/api/${CONSOLE_ROUTER_NAME}`, parts.consoleRouter);
  parts.internal(app);

  app.get('/openapi.json', (c) => c.json(parts.document()));
  for (const { name, document } of parts.routers) {
    app.get(`/api/${name}/openapi.json`, (c) => c.json(document()));
  }
  mountDocs(app, { title: 'Seam API', specUrl: '/openapi.json' });
  mountConsolePage(app, parts.consoleDir);
  app.get('/', (c) =>
    c.json({
      name: 'seam',
      service: config.SEAM_SERVICE,
      modules,
      docs: '/docs',
      console: '/console',
      openapi: '/openapi.json',
    }),
  );
  return app;
}

/** requestDeadline reads the epoch-millisecond deadline a gateway set on the request. */
function requestDeadline(c: Context<SeamEnv>): number | undefined {
  const header = c.req.header(DEADLINE_HEADER);
  if (header === undefined) return undefined;
  const deadline = Number(header);
  return Number.isFinite(deadline) && deadline > 0 ? deadline : undefined;
}
