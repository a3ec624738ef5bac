// The internal endpoints other Seam processes call: operations
// (`POST /internal/operations/<module>/<operation>`) and event deliveries
// (`POST /internal/events/<module>`), guarded by the service credential. On a
// listening server they are answered straight from node:http, before the Hono
// app (a hop costs what the HTTP exchange costs, little more); the same
// handler is mounted in the app too, for `app.request` in tests. With tracing
// on, a request is a SERVER span continuing the caller's `traceparent`.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hono } from 'hono';
import {
  CALLER_HEADER,
  DEADLINE_HEADER,
  EVENT_ROUTE,
  INTERNAL_EVENTS_PATH,
  OPERATION_ROUTE,
  REQUEST_ID_HEADER,
  SERVICE_TOKEN_HEADER,
} from '../client.js';
import { AppError, PROBLEM_CONTENT_TYPE, validationError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import { EventEnvelopeSchema } from '../events/define.js';
import type { SeamEnv } from '../http/env.js';
import type { Metrics } from '../http/metrics.js';
import { bodyTooLarge, requestIdFrom, toAppError } from '../http/problem.js';
import type { Logger } from '../logger.js';
import type { OperationRegistry } from '../operations.js';
import {
  extractTraceContext,
  SEAM_MODULE,
  SEAM_TRANSPORT,
  setHttpStatus,
  SpanKind,
  startSpan,
  tracingOn,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  withSpan,
  type Span,
} from '../tracing.js';

export interface InternalOptions {
  registry: OperationRegistry;
  bus: EventBus;
  serviceToken: string;
  bodyLimitBytes: number;
  callTimeoutMs: number;
  log: Logger;
  metrics: Metrics;
}

/** InternalRequest is what the handler reads of a request, whichever server received it. */
interface InternalRequest {
  method: string;
  path: string;
  header(name: string): string | undefined;
  requestId: string;
  /** body reads the body, failing with 413 beyond the limit. */
  body(): Promise<string>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * internalEndpoints builds the handler. `node` serves a raw node:http request
 * (true when the path was internal); `mount` adds the same routes to an app.
 */
export function internalEndpoints(options: InternalOptions) {
  const { registry, bus, log, metrics } = options;
  const token = Buffer.from(options.serviceToken);

  const tooLarge = () => bodyTooLarge(options.bodyLimitBytes);

  /** answer runs one internal request and returns its JSON answer, or throws an AppError. */
  const answer = async (request: InternalRequest): Promise<unknown> => {
    const [kind, module, operation, ...rest] = request.path.slice('/internal/'.length).split('/');
    const isOperation = kind === 'operations' && operation !== undefined && rest.length === 0;
    const isEvent = kind === 'events' && module !== undefined && operation === undefined;
    if (
      !(isOperation || isEvent) ||
      !SEGMENT.test(module ?? '') ||
      (isOperation && !SEGMENT.test(operation!))
    ) {
      throw AppError.notFound(
        `No route matches ${request.method} ${request.path}`,
        'route-not-found',
      );
    }
    if (request.method !== 'POST') {
      throw new AppError({
        status: 405,
        detail: `${request.method} is not allowed on ${request.path}; use POST`,
        headers: { allow: 'POST' },
      });
    }
    const sent = Buffer.from(request.header(SERVICE_TOKEN_HEADER) ?? '');
    if (sent.length !== token.length || !timingSafeEqual(sent, token)) {
      throw AppError.unauthorized(
        'Internal endpoints need a valid service credential',
        'invalid-service-token',
      );
    }
    const input = parseJson(await request.body());
    if (isEvent) {
      const parsed = EventEnvelopeSchema.safeParse(input);
      if (!parsed.success) throw validationError(parsed.error, 'event envelope');
      return { result: await bus.consume(module!, parsed.data) };
    }
    const deadlineHeader = Number(request.header(DEADLINE_HEADER));
    const deadline =
      Number.isFinite(deadlineHeader) && deadlineHeader > 0
        ? deadlineHeader
        : Date.now() + options.callTimeoutMs;
    return registry.invoke(module!, operation!, input, {
      requestId: request.requestId,
      caller: request.header(CALLER_HEADER) ?? 'unknown',
      deadline,
    });
  };

  const observe = (request: InternalRequest, status: number, started: number) => {
    const ms = performance.now() - started;
    const route = request.path.startsWith(INTERNAL_EVENTS_PATH) ? EVENT_ROUTE : OPERATION_ROUTE;
    metrics.observe(request.method, route, status, ms / 1000);
    if (log.isLevelEnabled('info')) {
      const fields = { requestId: request.requestId, method: request.method, path: request.path };
      log.info({ ...fields, status, ms: Math.round(ms * 10) / 10 }, 'request');
    }
  };

  const render = (request: InternalRequest, error: unknown) => {
    const appError = toAppError(error, log, request.requestId);
    const body = appError.toProblem({ instance: request.path, requestId: request.requestId });
    return { status: appError.status, body, headers: appError.headers ?? {} };
  };

  return {
    /** node answers an internal request on a node:http server; false when the path is not internal. */
    node(req: IncomingMessage, res: ServerResponse): boolean {
      const url = req.url ?? '';
      if (!url.startsWith('/internal/')) return false;
      const started = performance.now();
      const sentId = req.headers[REQUEST_ID_HEADER];
      const request: InternalRequest = {
        method: req.method ?? 'GET',
        path: url.split('?', 1)[0]!,
        header: (name) => {
          const value = req.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        requestId: requestIdFrom(typeof sentId === 'string' ? sentId : undefined),
        body: () => readBody(req, options.bodyLimitBytes, tooLarge),
      };
      const span = tracingOn() ? serverSpan(request) : undefined;
      const finish = (status: number) => {
        if (!span) return observe(request, status, started);
        setHttpStatus(span, status);
        withSpan(span, () => observe(request, status, started));
        span.end();
      };
      (span ? withSpan(span, () => answer(request)) : answer(request)).then(
        (output) => {
          write(res, 200, 'application/json', request.requestId, {}, JSON.stringify(output));
          finish(200);
        },
        (error: unknown) => {
          const { status, body, headers } = render(request, error);
          write(
            res,
            status,
            PROBLEM_CONTENT_TYPE,
            request.requestId,
            headers,
            JSON.stringify(body),
          );
          finish(status);
          // An unread body (refused before reading) must not be parsed as the next request.
          if (!req.complete) req.resume();
        },
      );
      return true;
    },

    /** mount adds the internal routes to an app (its pipeline logs and measures them). */
    mount(app: Hono<SeamEnv>): void {
      app.all('/internal/*', async (c) => {
        const request: InternalRequest = {
          method: c.req.method,
          path: c.req.path,
          header: (name) => c.req.header(name),
          requestId: c.get('requestId'),
          body: async () => {
            const text = await c.req.text();
            if (Buffer.byteLength(text) > options.bodyLimitBytes) throw tooLarge();
            return text;
          },
        };
        try {
          return c.json((await answer(request)) as object);
        } catch (error) {
          const { status, body, headers } = render(request, error);
          return new Response(JSON.stringify(body), {
            status,
            headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
          });
        }
      });
    },
  };
}

/** serverSpan opens the SERVER span of an internal request, continuing its caller's trace. */
function serverSpan(request: InternalRequest): Span {
  const route = request.path.startsWith(INTERNAL_EVENTS_PATH) ? EVENT_ROUTE : OPERATION_ROUTE;
  const parent = extractTraceContext(
    request.header(TRACEPARENT_HEADER),
    request.header(TRACESTATE_HEADER),
  );
  const module = request.path.split('/', 4)[3];
  return startSpan(
    `${request.method} ${route}`,
    SpanKind.SERVER,
    {
      'http.request.method': request.method,
      'http.route': route,
      'url.path': request.path,
      [SEAM_TRANSPORT]: 'http',
      ...(module ? { [SEAM_MODULE]: module } : {}),
    },
    parent,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError({
      status: 400,
      code: 'malformed-json',
      detail: 'The request body is not valid JSON',
    });
  }
}

function readBody(req: IncomingMessage, limit: number, tooLarge: () => AppError): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function write(
  res: ServerResponse,
  status: number,
  contentType: string,
  requestId: string,
  headers: Record<string, string>,
  body: string,
): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    [REQUEST_ID_HEADER]: requestId,
    ...headers,
  });
  res.end(body);
}
