// The rate limits of sign-in and sign-up: per client address and per email, in
// this process's memory, checked before the body is validated and before any
// password is hashed (a login costs one scrypt, ~130 ms of CPU).
import {
  clientAddress,
  limitBody,
  RateLimiter,
  rateLimit,
  trustedProxies,
  type RateLimitRule,
} from '@seam/platform';
import { AUTH_BODY_LIMIT_BYTES } from '@seam/users-contract';
import type { UsersConfig } from './config.js';

type Middleware = ReturnType<typeof limitBody>;
type RequestContext = Parameters<RateLimitRule['key']>[0];

/**
 * authLimits returns the middleware of POST /login and POST /register: the
 * body cap (AUTH_BODY_LIMIT_BYTES, 413), then the per-client and per-email
 * limits (429 with Retry-After).
 *
 * @example
 * const limits = authLimits(config);
 * app.use('/login', ...limits.login);
 */
export function authLimits(config: UsersConfig): Record<'login' | 'register', Middleware[]> {
  const trusted = trustedProxies(config.SEAM_TRUST_PROXY);
  const client = (c: RequestContext) => clientAddress(c, trusted);
  const rules = (perClient: number, perAccount: number): RateLimitRule[] => [
    { limiter: new RateLimiter(perClient), key: client, what: 'this client' },
    { limiter: new RateLimiter(perAccount), key: emailOf, what: 'this account' },
  ];
  const body = limitBody(AUTH_BODY_LIMIT_BYTES);
  const onlyPost: Middleware = (c, next) => (c.req.method === 'POST' ? body(c, next) : next());
  return {
    login: [
      onlyPost,
      rateLimit(
        rules(config.SEAM_LOGIN_RATE_PER_MINUTE, config.SEAM_LOGIN_ACCOUNT_RATE_PER_MINUTE),
      ),
    ],
    register: [
      onlyPost,
      rateLimit(
        rules(config.SEAM_REGISTER_RATE_PER_MINUTE, config.SEAM_REGISTER_ACCOUNT_RATE_PER_MINUTE),
      ),
    ],
  };
}

/**
 * emailOf reads the email of a JSON body the way the contract normalises it
 * (trimmed, lowercased). The body is parsed once: the route's validator reuses
 * it. A body that is not JSON, or has no email, is left to the validator.
 */
async function emailOf(c: RequestContext): Promise<string | undefined> {
  if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
    return undefined;
  }
  const body: unknown = await c.req.json().catch(() => undefined);
  const email = (body as { email?: unknown } | undefined)?.email;
  if (typeof email !== 'string' || email.length > 320) return undefined;
  return email.trim().toLowerCase();
}
