// Rate limits: token buckets kept in this process's memory, keyed by whatever a
// route limits on (the client address, an account), and the middleware that
// answers 429 problem+json with Retry-After before the route does any work. The
// client address honours X-Forwarded-For only from the proxies SEAM_TRUST_PROXY names.
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';

/** RATE_LIMIT_MAX_KEYS bounds the buckets one limiter keeps, so many keys cannot exhaust memory. */
export const RATE_LIMIT_MAX_KEYS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * RateLimiter allows `perMinute` hits per key, refilled evenly (a token
 * bucket holding at most `perMinute`), in this process only.
 *
 * @example
 * const limiter = new RateLimiter(10);
 * const wait = limiter.take('203.0.113.7'); // 0: allowed; otherwise seconds to wait
 */
export class RateLimiter {
  readonly perMinute: number;
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.perMinute = perMinute;
    this.refillPerMs = perMinute / 60_000;
  }

  /** take spends one hit of `key`: 0 when allowed, else the seconds until one is (nothing spent). */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.refillPerMs)
      : this.perMinute;
    if (tokens < 1) {
      if (bucket) Object.assign(bucket, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / this.refillPerMs / 1000));
    }
    if (!bucket && this.buckets.size >= RATE_LIMIT_MAX_KEYS) this.sweep(now);
    if (bucket) Object.assign(bucket, { tokens: tokens - 1, at: now });
    else this.buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  /** size is the number of keys with a bucket. */
  get size(): number {
    return this.buckets.size;
  }

  /** sweep drops full buckets (they are as good as new), then the oldest if still too many. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.refillPerMs >= this.perMinute) {
        this.buckets.delete(key);
      }
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < RATE_LIMIT_MAX_KEYS) break;
      this.buckets.delete(key);
    }
  }
}

/** tooManyRequests is the 429 problem of a limit, with Retry-After in seconds. */
export function tooManyRequests(detail: string, retryAfterSeconds: number): AppError {
  return new AppError({
    status: 429,
    detail,
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/**
 * trustedProxies turns SEAM_TRUST_PROXY entries (IPs, CIDR ranges, `loopback`)
 * into a check of a peer address.
 */
export function trustedProxies(entries: readonly string[]): (address: string) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (address) => {
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * clientAddress is the address of the client a request came from: the socket's
 * peer, or — when the peer is a trusted proxy — the last address in
 * X-Forwarded-For that is not a trusted proxy. Undefined for a request without
 * a socket (`app.request` in tests).
 */
export function clientAddress(
  c: Context,
  trusted: (address: string) => boolean,
): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const peer = incoming?.socket.remoteAddress;
  if (!peer || !trusted(peer)) return peer;
  const forwarded = incoming.headers['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => isIP(hop) !== 0);
  for (let i = hops.length - 1; i >= 0; i -= 1) if (!trusted(hops[i]!)) return hops[i];
  return hops[0] ?? peer;
}

export interface RateLimitRule {
  limiter: RateLimiter;
  /** key names what the rule counts for a request; undefined skips the rule. */
  key(c: Context): string | undefined | Promise<string | undefined>;
  /** what is used in the 429's detail: "this client", "this account". */
  what: string;
}

/**
 * rateLimit answers 429 (with Retry-After) when any rule's bucket is empty, and
 * lets the request through otherwise; it runs before the route's validation and
 * handler, so a refused request costs no work. Rules are checked in order; a hit
 * is spent on each rule that allowed it.
 *
 * @example
 * app.use('/login', rateLimit([{ limiter: new RateLimiter(30), key: (c) => clientAddress(c, trusted), what: 'this client' }]));
 */
export function rateLimit(rules: readonly RateLimitRule[], method = 'POST'): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== method) return next();
    for (const rule of rules) {
      const key = await rule.key(c);
      if (key === undefined) continue;
      const wait = rule.limiter.take(key);
      if (wait > 0) {
        throw tooManyRequests(
          `Too many requests from ${rule.what} (at most ${rule.limiter.perMinute} a minute); retry in ${wait} s`,
          wait,
        );
      }
    }
    await next();
  };
}
