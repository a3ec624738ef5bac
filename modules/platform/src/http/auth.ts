// Authentication on the HTTP side: reading the bearer token of a request (once,
// for every /api route) and requireAuth, which routes attach to demand a user
// or a role. Token signing and verification live in ../auth.ts.
import { createMiddleware } from 'hono/factory';
import { AppError } from '../errors.js';
import type { Role, TokenVerifier } from '../auth.js';
import { requestHeader } from './base-app.js';
import type { SeamEnv } from './env.js';

const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i;

/**
 * authenticate verifies a bearer token when one is sent and sets `user`; routes
 * decide with requireAuth whether one is needed. Without a verifier (a process
 * that cannot reach the users module's keys) a sent token is a 503.
 */
export function authenticate(verifier: TokenVerifier | undefined) {
  return createMiddleware<SeamEnv>(async (c, next) => {
    const header = requestHeader(c, 'authorization');
    if (header) {
      const match = BEARER.exec(header.trim());
      if (!match) {
        throw AppError.unauthorized(
          'The Authorization header must be "Bearer <access token>"',
          'invalid-token',
        );
      }
      if (!verifier) {
        throw AppError.unavailable(
          'This process cannot verify access tokens',
          'auth-keys-unavailable',
        );
      }
      c.set('user', await verifier.verify(match[1]!));
    }
    await next();
  });
}

/**
 * requireAuth rejects requests without a valid bearer token (401) or, given a
 * role, whose user lacks it (403). Attach it to a route's `middleware`.
 *
 * @example
 * createRoute({ method: 'post', path: '/products', middleware: [requireAuth('admin')], ... })
 */
export function requireAuth(role?: Role) {
  const middleware = createMiddleware<SeamEnv>(async (c, next) => {
    const user = c.get('user');
    if (!user) {
      throw AppError.unauthorized('This operation needs a bearer access token');
    }
    if (role && user.role !== role) {
      throw AppError.forbidden(`This operation needs the ${role} role`);
    }
    await next();
  });
  requirements.set(middleware, role ?? 'user');
  return middleware;
}

/** AuthRequirement is what a route demands: nothing, any signed-in user, or a role. */
export type AuthRequirement = 'none' | 'user' | Role;

const requirements = new WeakMap<object, AuthRequirement>();

/**
 * authRequirement reads what a route config demands from its requireAuth
 * middleware, for documentation (the module graph, the generated references).
 *
 * @example
 * authRequirement(catalogContract.routes.createProduct); // 'admin'
 */
export function authRequirement(route: { middleware?: unknown }): AuthRequirement {
  const middleware = [route.middleware ?? []].flat() as object[];
  return middleware.map((m) => requirements.get(m)).find((r) => r !== undefined) ?? 'none';
}

/** BEARER_SECURITY is the OpenAPI security requirement of authenticated routes. */
export const BEARER_SECURITY = [{ bearerAuth: [] as string[] }];

/** PUBLIC_SECURITY is the OpenAPI security requirement of public routes: none. */
export const PUBLIC_SECURITY: { [scheme: string]: string[] }[] = [];
