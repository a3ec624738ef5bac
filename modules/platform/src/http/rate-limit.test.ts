import type { Context } from 'hono';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { expectProblem } from '../testing/index.js';
import { errorHandler } from './problem.js';
import {
  clientAddress,
  RATE_LIMIT_MAX_KEYS,
  RateLimiter,
  rateLimit,
  trustedProxies,
} from './rate-limit.js';

const log = createLogger({ level: 'silent', service: 'test' });

function clock(start = 0) {
  const time = { now: start };
  return { time, now: () => time.now };
}

describe('RateLimiter', () => {
  it('allows perMinute hits at once, then answers the seconds until the next', () => {
    const { now } = clock();
    const limiter = new RateLimiter(3, now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(20);
    expect(limiter.take('b')).toBe(0);
  });

  it('refills evenly over the minute and never above perMinute', () => {
    const { time, now } = clock();
    const limiter = new RateLimiter(6, now);
    for (let i = 0; i < 6; i += 1) limiter.take('a');
    time.now += 9_000;
    expect(limiter.take('a')).toBe(1);
    time.now += 1_000;
    expect(limiter.take('a')).toBe(0);
    time.now += 3_600_000;
    for (let i = 0; i < 6; i += 1) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('keeps at most RATE_LIMIT_MAX_KEYS buckets, dropping full ones first', () => {
    const { time, now } = clock();
    const limiter = new RateLimiter(2, now);
    for (let i = 0; i < RATE_LIMIT_MAX_KEYS; i += 1) limiter.take(`k${i}`);
    limiter.take('k0');
    limiter.take('k0');
    time.now += 60_000;
    expect(limiter.take('new')).toBe(0);
    expect(limiter.size).toBeLessThanOrEqual(RATE_LIMIT_MAX_KEYS);
  });
});

describe('clientAddress', () => {
  const request = (remoteAddress: string, forwardedFor?: string) =>
    ({
      env: {
        incoming: {
          socket: { remoteAddress },
          headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
        },
      },
    }) as unknown as Context;

  it('is the socket peer, whatever X-Forwarded-For says, when no proxy is trusted', () => {
    const trusted = trustedProxies([]);
    expect(clientAddress(request('203.0.113.7', '198.51.100.1'), trusted)).toBe('203.0.113.7');
  });

  it('is the last untrusted hop of X-Forwarded-For when the peer is a trusted proxy', () => {
    const trusted = trustedProxies(['10.0.0.0/8', 'loopback']);
    expect(clientAddress(request('10.1.2.3', '6.6.6.6, 198.51.100.1'), trusted)).toBe(
      '198.51.100.1',
    );
    expect(clientAddress(request('::ffff:127.0.0.1', '198.51.100.1, 10.0.0.9'), trusted)).toBe(
      '198.51.100.1',
    );
    expect(clientAddress(request('10.1.2.3'), trusted)).toBe('10.1.2.3');
  });

  it('is undefined without a socket (app.request)', () => {
    expect(clientAddress({ env: undefined } as unknown as Context, () => true)).toBeUndefined();
  });
});

describe('rateLimit', () => {
  function limitedApp(perMinute: number) {
    let handled = 0;
    const app = new Hono();
    app.onError(errorHandler(log));
    app.use(
      '/login',
      rateLimit([
        {
          limiter: new RateLimiter(perMinute),
          key: (c) => c.req.header('x-client'),
          what: 'this client',
        },
      ]),
    );
    app.post('/login', (c) => {
      handled += 1;
      return c.json({ ok: true });
    });
    app.get('/login', (c) => c.json({ ok: true }));
    return { app, handled: () => handled };
  }
  const post = (client: string) => ({ method: 'POST', headers: { 'x-client': client } });

  it('answers 429 problem+json with Retry-After before the handler runs', async () => {
    const { app, handled } = limitedApp(2);
    expect((await app.request('/login', post('a'))).status).toBe(200);
    expect((await app.request('/login', post('a'))).status).toBe(200);
    const refused = await app.request('/login', post('a'));
    expect(Number(refused.headers.get('retry-after'))).toBe(30);
    const problem = await expectProblem(refused, 429, 'too-many-requests');
    expect(problem.detail).toMatch(/this client/);
    expect(handled()).toBe(2);
  });

  it('counts each key apart, skips requests without a key, and other methods', async () => {
    const { app, handled } = limitedApp(1);
    expect((await app.request('/login', post('a'))).status).toBe(200);
    expect((await app.request('/login', post('b'))).status).toBe(200);
    expect((await app.request('/login', { method: 'POST' })).status).toBe(200);
    expect((await app.request('/login', { method: 'POST' })).status).toBe(200);
    expect((await app.request('/login', { headers: { 'x-client': 'a' } })).status).toBe(200);
    expect((await app.request('/login', post('a'))).status).toBe(429);
    expect(handled()).toBe(4);
  });
});
