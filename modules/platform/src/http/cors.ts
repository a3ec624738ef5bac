// Cross-origin access, closed unless SEAM_CORS_ORIGINS lists the caller's
// origin. The base app answers preflights itself and stamps the allow headers on
// the answers to listed origins; for any other origin it removes them, so a
// proxied upstream cannot open what this process keeps closed.
import type { Context } from 'hono';
import { AppError } from '../errors.js';
import { problemResponse } from './problem.js';

/** CORS_ALLOWED_METHODS are the methods a listed origin may use. */
export const CORS_ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/** CORS_ALLOWED_HEADERS are the request headers a listed origin may send. */
export const CORS_ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, x-request-id';
/** CORS_EXPOSED_HEADERS are the answer headers a listed origin's script may read. */
export const CORS_EXPOSED_HEADERS =
  'x-request-id, retry-after, location, allow, idempotent-replayed';
/** CORS_MAX_AGE_SECONDS is how long a browser may cache a preflight answer. */
export const CORS_MAX_AGE_SECONDS = 600;

export interface Cors {
  /** preflight answers an OPTIONS preflight (undefined when the request is not one). */
  preflight(c: Context, origin: string | undefined): Response | undefined;
  /** apply adds the allow headers for a listed origin, or removes them for any other. */
  apply(headers: Headers, origin: string | undefined): void;
}

/**
 * createCors builds the CORS policy for `allowedOrigins` (exact origins).
 *
 * @example
 * const cors = createCors(['https://shop.example.com']);
 */
export function createCors(allowedOrigins: readonly string[]): Cors {
  const allowed = new Set(allowedOrigins);
  return {
    preflight(c, origin) {
      if (c.req.method !== 'OPTIONS' || !origin) return undefined;
      if (!c.req.header('access-control-request-method')) return undefined;
      if (!allowed.has(origin)) {
        return problemResponse(
          c,
          AppError.forbidden(
            `Cross-origin requests from ${origin} are not allowed`,
            'origin-not-allowed',
          ),
        );
      }
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': CORS_ALLOWED_METHODS,
          'access-control-allow-headers': CORS_ALLOWED_HEADERS,
          'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
          vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
        },
      });
    },
    apply(headers, origin) {
      if (origin && allowed.has(origin)) {
        headers.set('access-control-allow-origin', origin);
        headers.set('access-control-expose-headers', CORS_EXPOSED_HEADERS);
        headers.append('vary', 'Origin');
        return;
      }
      headers.delete('access-control-allow-origin');
      headers.delete('access-control-allow-credentials');
      if (allowed.size > 0) headers.append('vary', 'Origin');
    },
  };
}
