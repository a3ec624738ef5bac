// The HTTP hardening every Seam process gets from the base app and listenOn
// (OWASP API8, security misconfiguration): security headers on every answer,
// CORS closed unless an origin is listed, problem+json even for the answers
// Node writes itself, and no internals in a 500.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { notesModule } from '../testing/fixtures/index.js';
import { expectProblem, startTestHost, type TestHost } from '../testing/index.js';
import { createBaseApp, type BaseEnv } from './base-app.js';
import { CORS_ALLOWED_HEADERS } from './cors.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { listenOn, stopServer, type ServerType } from './serve.js';

const SHOP = 'https://shop.example.com';
const log = createLogger({ level: 'silent', service: 'test' });

let t: TestHost;
beforeAll(async () => {
  t = await startTestHost({
    modules: [notesModule],
    listen: true,
    env: { SEAM_CORS_ORIGINS: `${SHOP},http://localhost:5173` },
  });
});
afterAll(() => t.close());

function expectSecurityHeaders(res: Response) {
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-powered-by')).toBeNull();
}

/** rawExchange sends `request` as is on a TCP connection and returns what came back. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(request);
  });
}

function parseRaw(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const at = line.indexOf(':');
      return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

describe('API8 security misconfiguration: security headers', () => {
  it.each([
    ['a JSON answer', '/api/notes/headers', 200],
    ['an unknown route', '/api/notes/nowhere', 404],
    ['a health check', '/health/live', 200],
    ['the OpenAPI document', '/openapi.json', 200],
    ['an error', '/api/notes/boom', 500],
  ])('sets nosniff, no framing, no referrer and no x-powered-by on %s', async (_, path, status) => {
    const res = await t.request(path);
    expect(res.status).toBe(status);
    expectSecurityHeaders(res);
    expect(res.headers.get('content-security-policy')).toBe(
      SECURITY_HEADERS['content-security-policy'],
    );
  });

  it('keeps /docs working: the page may run its script, but not be framed', async () => {
    const page = await t.request('/docs');
    expect(page.status).toBe(200);
    expectSecurityHeaders(page);
    expect(page.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    expect(await page.text()).toContain('/docs/scalar.js');
    const script = await t.request('/docs/scalar.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers a 500 without stack, message or file names of the error', async () => {
    const res = await t.request('/api/notes/boom');
    const problem = await expectProblem(res, 500, 'internal');
    expect(JSON.stringify(problem)).not.toMatch(/hunter2|Error:|\bat\b.*:\d+/);
    expect(problem.detail).toContain(problem.requestId);
  });
});

describe('API8 security misconfiguration: CORS', () => {
  it('allows a listed origin, exposing the headers clients read', async () => {
    const res = await t.request('/api/notes/headers', { headers: { origin: SHOP } });
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(res.headers.get('vary')).toContain('Origin');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('sends no Access-Control-Allow-Origin to an origin that is not listed', async () => {
    const res = await t.request('/api/notes/headers', {
      headers: { origin: 'https://evil.example.com' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the preflight of a listed origin with 204 and the allowed methods and headers', async () => {
    const res = await t.request('/api/notes/notes', {
      method: 'OPTIONS',
      headers: {
        origin: SHOP,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe(CORS_ALLOWED_HEADERS);
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expectSecurityHeaders(res);
  });

  it('refuses the preflight of another origin with a 403 problem', async () => {
    const res = await t.request('/api/notes/notes', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    await expectProblem(res, 403, 'origin-not-allowed');
  });

  it('is closed by default: no origin is allowed when SEAM_CORS_ORIGINS is unset', async () => {
    const app = createBaseApp<BaseEnv>({
      service: 'test',
      modules: [],
      log,
      bodyLimitBytes: 1024,
      readiness: () => ({ ready: true, body: {} }),
    });
    const simple = await app.request('/health/live', { headers: { origin: SHOP } });
    expect(simple.status).toBe(200);
    expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await app.request('/health/live', {
      method: 'OPTIONS',
      headers: { origin: SHOP, 'access-control-request-method': 'GET' },
    });
    await expectProblem(preflight, 403, 'origin-not-allowed');
  });
});

describe('API8 security misconfiguration: answers Node writes itself', () => {
  let server: ServerType;
  let url: string;
  beforeAll(async () => {
    const app = createBaseApp<BaseEnv>({
      service: 'test',
      modules: [],
      log,
      bodyLimitBytes: 1024,
      readiness: () => ({ ready: true, body: {} }),
    });
    ({ server, url } = await listenOn(app.fetch, { port: 0, hostname: '127.0.0.1', log }));
  });
  afterAll(() => stopServer(server, 1_000));

  it('answers oversized headers with a 431 problem+json', async () => {
    const host = new URL(url).host;
    const answer = await rawExchange(
      url,
      `GET /health/live HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    const { status, headers, body } = parseRaw(answer);
    expect(status).toBe(431);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(body).toMatchObject({ status: 431, code: 'headers-too-large' });
    expect(body.requestId).toBe(headers['x-request-id']);
  });

  it('answers a garbled request line with a 400 problem+json', async () => {
    const answer = await rawExchange(url, 'THIS IS NOT HTTP\r\n\r\n');
    const { status, headers, body } = parseRaw(answer);
    expect(status).toBe(400);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(body).toMatchObject({
      status: 400,
      code: 'bad-request',
      type: 'urn:seam:problem:bad-request',
    });
  });

  it('still serves a well-formed request on the same server', async () => {
    const res = await fetch(`${url}/health/live`);
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
  });
});
