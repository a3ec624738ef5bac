// The host's app: the base app (request ids, log, metrics, body limit, health,
// problems) plus the hosted modules' routes under /api/<module>, the events
// admin routes, the internal endpoints, the merged OpenAPI document and docs.
import type { Hono, MiddlewareHandler } from 'hono';
import type { PlatformConfig } from '../config.js';
import type { DatabaseHandle } from '../database.js';
import { EVENTS_ROUTER_NAME } from '../events/admin-routes.js';
import { authenticate } from '../http/auth.js';
import { createBaseApp } from '../http/base-app.js';
import { mountDocs } from '../http/docs.js';
import type { SeamEnv } from '../http/env.js';
import type { Metrics } from '../http/metrics.js';
import type { OpenApiDocument } from '../http/openapi.js';
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
  routers: { name: string; router: ModuleApp; document: OpenApiDocument }[];
  eventsRouter: ModuleApp;
  document: OpenApiDocument;
  /** internal mounts the internal endpoints (see internal.ts). */
  internal: (app: Hono<SeamEnv>) => void;
  isReady: () => boolean;
}

export function buildHostApp(parts: HostAppParts): Hono<SeamEnv> {
  const { config, database } = parts;
  const modules = parts.routers.map((r) => r.name);
  const app = createBaseApp<SeamEnv>({
    service: config.SEAM_SERVICE,
    modules,
    log: parts.log,
    metrics: parts.metrics,
    bodyLimitBytes: config.SEAM_BODY_LIMIT_BYTES,
    async readiness() {
      let ready = parts.isReady();
      const checks: Record<string, string> = { process: ready ? 'ok' : 'shutting down' };
      try {
        await database.ping();
        checks.database = 'ok';
      } catch (error) {
        ready = false;
        checks.database = (error as Error).message;
      }
      return {
        ready,
        body: { status: ready ? 'ready' : 'unavailable', database: database.kind, checks },
      };
    },
  });

  // Every /api request runs in its own call scope (request id for the calls it
  // makes) with the bearer token, if any, verified.
  const verify = authenticate(parts.verifier);
  const scoped: MiddlewareHandler<SeamEnv> = (c, next) =>
    runInScope({ requestId: c.get('requestId'), deadline: undefined }, () => verify(c, next));
  app.use('/api/*', scoped);

  for (const { name, router } of parts.routers) app.route(`/api/${name}`, router);
  app.route(`/api/${EVENTS_ROUTER_NAME}`, parts.eventsRouter);
  parts.internal(app);

  app.get('/openapi.json', (c) => c.json(parts.document));
  for (const { name, document } of parts.routers) {
    app.get(`/api/${name}/openapi.json`, (c) => c.json(document));
  }
  mountDocs(app, { title: 'Seam API', specUrl: '/openapi.json' });
  app.get('/', (c) =>
    c.json({
      name: 'seam',
      service: config.SEAM_SERVICE,
      modules,
      docs: '/docs',
      openapi: '/openapi.json',
    }),
  );
  return app;
}
