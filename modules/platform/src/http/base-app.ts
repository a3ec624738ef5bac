// The base app every Seam process serves: the server's host and the gateway
// both start from it. One middleware gives each request its id, the logger,
// the body limit (on /api), CORS (preflights and allow headers), the security
// headers, the access log line and the metrics; then come
// /metrics, /health/live, /health/ready and the problem+json handlers for
// unmatched routes, wrong methods and thrown errors. Callers add their routes.
// With tracing on, each request is a SERVER span continuing its `traceparent`.
import type { IncomingMessage } from 'node:http';
import { Hono, type Context, type Env, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { TrieRouter } from 'hono/router/trie-router';
import { REQUEST_ID_HEADER } from '../client.js';
import type { Logger } from '../logger.js';
import {
  extractTraceContext,
  failSpan,
  SEAM_MODULE,
  setHttpStatus,
  SpanKind,
  startSpan,
  tracingOn,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  withSpan,
} from '../tracing.js';
import { createCors } from './cors.js';
import { Metrics, routeLabel } from './metrics.js';
import {
  bodyTooLarge,
  errorHandler,
  methodNotAllowedResponse,
  notFoundHandler,
  problemResponse,
  requestIdFrom,
} from './problem.js';
import { problemOf, type RecentErrors } from './recent-errors.js';
import { withSecurityHeaders } from './security-headers.js';

/** BaseEnv is what the base app sets on every request. */
export interface BaseEnv extends Env {
  Variables: {
    requestId: string;
    log: Logger;
  };
}

/** Readiness is the answer of /health/ready: 200 when ready, 503 otherwise. */
export interface Readiness {
  ready: boolean;
  body: Record<string, unknown>;
}

export interface BaseAppOptions<E extends BaseEnv> {
  /** service and modules label the metrics (`seam_info`). */
  service: string;
  modules: readonly string[];
  log: Logger;
  /** metrics to record into (default: a new registry); the host shares it with its internal endpoints. */
  metrics?: Metrics;
  /** bodyLimitBytes caps request bodies under /api (413 problem beyond). */
  bodyLimitBytes: number;
  /** corsOrigins may call cross-origin (SEAM_CORS_ORIGINS); none by default. */
  corsOrigins?: readonly string[];
  readiness(): Readiness | Promise<Readiness>;
  /** recentErrors, when given, records every answer with status ≥ 400 (the operator console reads it). */
  recentErrors?: RecentErrors;
  /** accessLog adds fields to the access log line of a request. */
  accessLog?: (c: Context<E>) => Record<string, unknown>;
  /** routeOf overrides the metrics route label (default: the matched route template). */
  routeOf?: (c: Context<E>) => string | undefined;
}

/**
 * createBaseApp makes the app with the shared pipeline, health and metrics;
 * routes added to it afterwards run inside the pipeline.
 *
 * @example
 * const app = createBaseApp<SeamEnv>({ service, modules, log, bodyLimitBytes, readiness: () => ({ ready: true, body: {} }) });
 * app.route('/api/catalog', catalogRouter);
 */
export function createBaseApp<E extends BaseEnv>(options: BaseAppOptions<E>): Hono<E> {
  const { log } = options;
  const app = new Hono<E>();
  const metrics =
    options.metrics ?? new Metrics({ service: options.service, modules: [...options.modules] });
  const limit = limitBody(options.bodyLimitBytes);
  const cors = createCors(options.corsOrigins ?? []);

  const routeOf = (c: Context<E>) => options.routeOf?.(c) ?? routeLabel(c);

  const handle: MiddlewareHandler<E> = async (c, next) => {
    const started = performance.now();
    const sent = requestHeader(c, REQUEST_ID_HEADER);
    const requestId = requestIdFrom(sent);
    c.set('requestId', requestId);
    c.set('log', log);
    c.header(REQUEST_ID_HEADER, requestId);
    // Only a method with a body is limited; reading `c.req.raw` would build a full
    // WHATWG Request for every GET.
    const method = c.req.method;
    const origin = requestHeader(c, 'origin');
    const preflight = cors.preflight(c, origin);
    if (preflight) {
      c.res = preflight;
    } else if (method !== 'GET' && method !== 'HEAD' && c.req.path.startsWith('/api/')) {
      // A declared length is checked from the header alone. Touching the body stream
      // and leaving it unread (a 413 here, a 401 before the body is parsed) made
      // @hono/node-server drop the kept-alive connection 500 ms later, under the next
      // request the client sent on it; untouched, Node discards the unread rest.
      const declared = requestHeader(c, 'content-length');
      if (declared === undefined) {
        // A chunked body (or an in-process Request, which has no length header) is
        // counted as it is read; the limit answers 413 by returning a response.
        const refused = await limit(c, next);
        if (refused instanceof Response) c.res = refused;
      } else if (Number(declared) > options.bodyLimitBytes) {
        c.res = problemResponse(c, bodyTooLarge(options.bodyLimitBytes));
      } else {
        await next();
      }
    } else {
      await next();
    }
    const secured = withSecurityHeaders(c.res);
    if (secured !== c.res) c.res = secured;
    cors.apply(c.res.headers, origin);
    const ms = performance.now() - started;
    const status = c.res.status;
    const route = routeOf(c);
    metrics.observe(method, route, status, ms / 1000);
    if (status >= 400 && options.recentErrors) {
      const problem = problemOf(c.res);
      options.recentErrors.record({
        at: new Date().toISOString(),
        method,
        path: c.req.path,
        route,
        status,
        requestId,
        ...(problem ? { type: problem.type, title: problem.title, detail: problem.detail } : {}),
      });
    }
    if (log.isLevelEnabled('info')) {
      log.info(
        {
          requestId,
          method,
          path: c.req.path,
          status,
          ...options.accessLog?.(c),
          ms: Math.round(ms * 10) / 10,
        },
        'request',
      );
    }
  };
  const traced: MiddlewareHandler<E> = async (c, next) => {
    const method = c.req.method;
    const path = c.req.path;
    const parent = extractTraceContext(
      requestHeader(c, TRACEPARENT_HEADER),
      requestHeader(c, TRACESTATE_HEADER),
    );
    const module = path.startsWith('/api/') ? path.split('/', 3)[2] : undefined;
    const span = startSpan(
      method,
      SpanKind.SERVER,
      {
        'http.request.method': method,
        'url.path': path,
        'url.scheme': 'http',
        ...(module ? { [SEAM_MODULE]: module } : {}),
      },
      parent,
    );
    try {
      await withSpan(span, () => handle(c, next), parent);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      const route = routeOf(c);
      if (route !== 'unmatched') {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      setHttpStatus(span, c.res.status);
      span.end();
    }
  };
  // Probes and scrapes stay out of traces: they would bury the requests that matter.
  app.use((c, next) =>
    tracingOn() && !ROUTINE.test(c.req.path) ? traced(c, next) : handle(c, next),
  );

  app.get('/metrics', async (c) =>
    c.body(await metrics.render(), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    }),
  );
  app.get('/health/live', (c) => c.json({ status: 'ok' }));
  app.get('/health/ready', async (c) => {
    const { ready, body } = await options.readiness();
    return c.json(body, ready ? 200 : 503);
  });

  const allowed = allowedMethods(app.routes);
  app.notFound((c) => {
    const methods = allowed(c.req.path);
    if (methods.length > 0 && !methods.includes(c.req.method)) {
      return methodNotAllowedResponse(c, methods);
    }
    return notFoundHandler(c);
  });
  app.onError(errorHandler(log));
  return app;
}

/** ROUTINE matches the paths of health probes and metrics scrapes. */
const ROUTINE = /^\/(health\/|metrics$)/;

/**
 * limitBody refuses a request body over `maxBytes` with the 413 problem; the
 * base app applies it on /api with SEAM_BODY_LIMIT_BYTES, and a route whose
 * bodies are always small may add a tighter one.
 *
 * @example
 * app.use('/login', limitBody(16 * 1024));
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => problemResponse(c, bodyTooLarge(maxBytes)),
  });
}

/**
 * allowedMethods answers which methods the app's routes accept on a path, for
 * the 405 of a route that exists with another method. Built on first use, when
 * every route is registered.
 */
function allowedMethods(
  routes: readonly { method: string; path: string }[],
): (path: string) => string[] {
  let router: TrieRouter<string[]> | undefined;
  return (path) => {
    if (!router) {
      const byPath = new Map<string, Set<string>>();
      for (const route of routes) {
        if (route.method === 'ALL' || route.method === 'HEAD') continue;
        const methods = byPath.get(route.path) ?? new Set<string>();
        methods.add(route.method);
        if (route.method === 'GET') methods.add('HEAD');
        byPath.set(route.path, methods);
      }
      router = new TrieRouter<string[]>();
      for (const [routePath, methods] of byPath) router.add('ALL', routePath, [...methods]);
    }
    const found = new Set<string>();
    for (const [methods] of router.match('ALL', path)[0]) for (const m of methods) found.add(m);
    return [...found];
  };
}

/**
 * requestHeader reads a request header from the Node request itself when the app
 * runs on @hono/node-server (a plain object, no WHATWG Headers built), else from
 * the Request (app.request in tests).
 */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming) {
    const value = incoming.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
  return c.req.header(name);
}
