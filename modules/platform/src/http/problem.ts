// Rendering errors as problem+json, and the app-wide error, 404 and 405 handlers.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, databaseUnreachable, isAppError, PROBLEM_CONTENT_TYPE } from '../errors.js';
import type { Logger } from '../logger.js';
import { rememberProblem } from './recent-errors.js';

/** problemResponse writes an AppError as an RFC 9457 response. */
export function problemResponse(c: Context, error: AppError): Response {
  const requestId = c.get('requestId') as string | undefined;
  const body = error.toProblem({ instance: c.req.path, ...(requestId ? { requestId } : {}) });
  const response = new Response(JSON.stringify(body), {
    status: error.status,
    headers: {
      'content-type': PROBLEM_CONTENT_TYPE,
      ...(requestId ? { 'x-request-id': requestId } : {}),
      ...error.headers,
    },
  });
  rememberProblem(response, body);
  return response;
}

/** bodyTooLarge is the 413 of a request body over `limitBytes`, wherever the body is read. */
export function bodyTooLarge(limitBytes: number): AppError {
  return new AppError({
    status: 413,
    detail: `The request body is larger than ${limitBytes} bytes`,
  });
}

/** REQUEST_ID_PATTERN is what an incoming x-request-id must look like to be kept. */
const REQUEST_ID_PATTERN = /^[\w\-=]{1,255}$/;

/** requestIdFrom keeps a safe incoming request id, or makes a new one. */
export function requestIdFrom(sent: string | undefined): string {
  return sent && REQUEST_ID_PATTERN.test(sent) ? sent : crypto.randomUUID();
}

const HTTP_EXCEPTION_DETAILS: Record<number, string> = {
  400: 'The request could not be read',
  413: 'The request body is larger than the limit',
  415: 'The request body must be sent as application/json',
};

/** toAppError maps anything thrown while serving a request to an AppError. */
export function toAppError(error: unknown, log: Logger, requestId: string | undefined): AppError {
  if (isAppError(error)) return error;
  if (error instanceof HTTPException) {
    const malformed = /Malformed JSON/i.test(error.message);
    return new AppError({
      status: error.status,
      code: malformed ? 'malformed-json' : undefined,
      detail: malformed
        ? 'The request body is not valid JSON'
        : (HTTP_EXCEPTION_DETAILS[error.status] ?? error.message),
    });
  }
  const unreachable = databaseUnreachable(error);
  if (unreachable) {
    log.warn({ err: error, requestId }, 'database unreachable');
    return unreachable;
  }
  log.error({ err: error, requestId }, 'unhandled error');
  return AppError.internal(
    `An unexpected error occurred; quote request id ${requestId ?? '(none)'} when reporting it`,
  );
}

export function errorHandler(log: Logger): ErrorHandler {
  return (error, c) => problemResponse(c, toAppError(error, log, c.get('requestId')));
}

export const notFoundHandler: NotFoundHandler = (c) =>
  problemResponse(
    c,
    AppError.notFound(`No route matches ${c.req.method} ${c.req.path}`, 'route-not-found'),
  );

export function methodNotAllowedResponse(c: Context, methods: string[]): Response {
  return problemResponse(
    c,
    new AppError({
      status: 405,
      detail: `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(', ')}`,
      headers: { allow: methods.join(', ') },
    }),
  );
}
