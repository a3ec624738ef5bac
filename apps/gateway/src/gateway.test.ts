// The gateway in front of real services on loopback: routing, round robin,
// identical answers, headers, the internal boundary, merged OpenAPI, health.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createTestTokens, fixtures, parseExposition } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './gateway.js';
import { startFixtureCluster, type RunningReplica } from './test-support/cluster.js';

/** Headers that describe the connection or the moment, not the answer. */
const CONNECTION_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** A small limit keeps the oversized body in the socket buffers, so connections stay usable. */
const SMALL_BODY_LIMIT = { SEAM_BODY_LIMIT_BYTES: '4096' };

let tokens: Awaited<ReturnType<typeof createTestTokens>>;
let notes: RunningReplica;
let pingsA: RunningReplica;
let pingsB: RunningReplica;
let gateway: Gateway;
let gatewayUrl: string;
const GATEWAY_TIMEOUT_MS = 12_000;

beforeAll(async () => {
  tokens = await createTestTokens();
  ({
    notes,
    pingsA,
    pingsB,
    gateway,
    url: gatewayUrl,
  } = await startFixtureCluster({
    notes: { jwks: tokens.jwks, env: SMALL_BODY_LIMIT },
    gatewayEnv: { ...SMALL_BODY_LIMIT, SEAM_GATEWAY_TIMEOUT_MS: String(GATEWAY_TIMEOUT_MS) },
  }));
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([notes?.stop(), pingsA?.stop(), pingsB?.stop()]);
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function exchange(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, init);
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) {
    if (!CONNECTION_HEADERS.has(name)) headers[name] = value;
  }
  return { status: response.status, headers, body: await response.text() };
}

/** masked hides what differs between two creations: ids and timestamps. */
function masked(answer: Answer): Answer {
  return {
    ...answer,
    body: answer.body
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>'),
  };
}

function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

describe('routing', () => {
  it('sends /api/<module>/* to the service hosting the module', async () => {
    const created = await fetch(`${gatewayUrl}/api/notes/notes`, json('POST', { text: 'hi' }));
    expect(created.status).toBe(201);
    const note = (await created.json()) as { id: string; text: string };
    const direct = await fetch(`${notes.url}/api/notes/notes/${note.id}`);
    expect(await direct.json()).toMatchObject({ id: note.id, text: 'hi' });

    const ping = await fetch(`${gatewayUrl}/api/pings`);
    expect(ping.status).toBe(200);
    expect(['a', 'b']).toContain(((await ping.json()) as { replica: string }).replica);
  });

  it('balances requests round robin across the replicas of a service', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10; i++) {
      const response = await fetch(`${gatewayUrl}/api/pings`);
      const { replica } = (await response.json()) as { replica: string };
      counts[replica] = (counts[replica] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 5, b: 5 });
  });

  it('answers 404 route-not-found for a module no service hosts, as a server does', async () => {
    const init = { headers: { 'x-request-id': 'unknown-module' } };
    const viaGateway = await exchange(gatewayUrl, '/api/nope/things', init);
    expect(viaGateway.status).toBe(404);
    expect(JSON.parse(viaGateway.body)).toMatchObject({ code: 'route-not-found' });
    expect(viaGateway).toEqual(await exchange(notes.url, '/api/nope/things', init));
  });
});

describe('answers', () => {
  const cases: [string, string, () => RequestInit][] = [
    ['a created note', '/api/notes/notes', () => json('POST', { text: 'same' })],
    ['a validation error', '/api/notes/notes', () => json('POST', { text: '' })],
    ['malformed JSON', '/api/notes/notes', () => json('POST', '{"text":')],
    [
      'a body that is not JSON',
      '/api/notes/notes',
      () => ({ method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }),
    ],
    ['an oversized body', '/api/notes/notes', () => json('POST', { text: 'x'.repeat(8192) })],
    ['an unknown note', `/api/notes/notes/${randomUUID()}`, () => ({})],
    ['a malformed id', '/api/notes/notes/not-a-uuid', () => ({})],
    ['a missing token', '/api/notes/secret', () => ({})],
    ['a malformed token', '/api/notes/secret', () => ({ headers: { authorization: 'Bearer x' } })],
    ['a wrong method', '/api/notes/notes', () => ({ method: 'DELETE' })],
    ['an unknown route of a module', '/api/notes/nothing-here', () => ({})],
    ['an unexpected error', '/api/notes/boom', () => ({})],
    ['a module 503 problem', '/api/notes/unavailable', () => ({})],
    ['the module document', '/api/notes/openapi.json', () => ({})],
  ];

  it.each(cases)('are identical to the service’s for %s', async (_, path, init) => {
    const requestId = randomUUID();
    const withId = (base: RequestInit): RequestInit => ({
      ...base,
      headers: { ...(base.headers as Record<string, string>), 'x-request-id': requestId },
    });
    const direct = masked(await exchange(notes.url, path, withId(init())));
    const viaGateway = masked(await exchange(gatewayUrl, path, withId(init())));
    expect(viaGateway).toEqual(direct);
  });

  it('are identical for a customer and an admin token', async () => {
    for (const role of ['customer', 'admin'] as const) {
      const token = await tokens.sign({ id: randomUUID(), email: 'a@example.com', role });
      const init = { headers: { authorization: `Bearer ${token}`, 'x-request-id': role } };
      const direct = await exchange(notes.url, '/api/notes/secret', init);
      expect(direct.status).toBe(role === 'admin' ? 200 : 403);
      expect(await exchange(gatewayUrl, '/api/notes/secret', init)).toEqual(direct);
    }
  });

  it('passes a module’s own 503 problem through without ejecting its replica', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${gatewayUrl}/api/notes/unavailable`);
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'dependency-down' });
    }
    expect(gateway.pool.status().notes!.replicas[0]!.state).toBe('ready');
  });
});

describe('headers', () => {
  it('forwards credentials and custom headers, adds x-forwarded-* and its deadline, strips the service token', async () => {
    const token = await tokens.sign({ id: randomUUID(), email: 'c@example.com', role: 'customer' });
    const sent = Date.now();
    const response = await fetch(`${gatewayUrl}/api/notes/headers`, {
      headers: {
        authorization: `Bearer ${token}`,
        'idempotency-key': 'key-1',
        'x-custom': 'kept',
        'x-request-id': 'req-1',
        'x-seam-service-token': 'a'.repeat(64),
        'x-seam-deadline': '1',
      },
    });
    const { 'x-seam-deadline': deadline, ...seen } = (await response.json()) as Record<
      (typeof fixtures.ECHOED_HEADERS)[number],
      string
    >;
    // The gateway's own bound (less a margin), never the one a client sent.
    expect(Number(deadline)).toBeGreaterThan(sent);
    expect(Number(deadline)).toBeLessThanOrEqual(Date.now() + GATEWAY_TIMEOUT_MS);
    expect(seen).toEqual({
      authorization: `Bearer ${token}`,
      'idempotency-key': 'key-1',
      'x-custom': 'kept',
      'x-request-id': 'req-1',
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': new URL(gatewayUrl).host,
      'x-forwarded-proto': 'http',
    });
    expect(response.headers.get('x-request-id')).toBe('req-1');
  });

  it('gives a request without an id one, and the service sees the same', async () => {
    const response = await fetch(`${gatewayUrl}/api/notes/headers`);
    const seen = (await response.json()) as Record<string, string>;
    expect(seen['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get('x-request-id')).toBe(seen['x-request-id']);
  });

  it('appends to an x-forwarded-for chain from a proxy in front', async () => {
    const response = await fetch(`${gatewayUrl}/api/notes/headers`, {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    expect(await response.json()).toMatchObject({
      'x-forwarded-for': '203.0.113.7, 127.0.0.1',
      'x-forwarded-proto': 'https',
    });
  });
});

describe('internal endpoints', () => {
  it.each([
    ['POST', '/internal/operations/notes/getNote'],
    ['POST', '/internal/events/notes'],
    ['GET', '/internal/anything'],
  ])('answers %s %s with a 404 problem, even with a service token', async (method, path) => {
    const response = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: { 'x-seam-service-token': 'a'.repeat(64), 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: '{}' } : {}),
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ code: 'route-not-found', instance: path });
  });

  it('does not let dot segments in a module path reach /internal', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(gatewayUrl);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/api/notes/%2e%2e/%2e%2e/internal/operations/notes/getNote',
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(404);
  });
});

describe('documents and health', () => {
  it('merges the services’ OpenAPI documents, without internal or per-process paths', async () => {
    const response = await fetch(`${gatewayUrl}/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      tags: { name: string }[];
      components: { schemas: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    const paths = Object.keys(document.paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/notes/notes', '/api/notes/notes/{id}', '/api/pings']),
    );
    // The gateway's own routes (the console's) are documented beside the services'.
    expect(paths.filter((p) => !/^\/api\/(notes|pings)(\/|$)/.test(p)).sort()).toEqual([
      '/api/console/services/{service}/deliveries/{id}/retry',
      '/api/console/state',
    ]);
    expect(document.tags.map((t) => t.name).sort()).toEqual(['console', 'notes', 'pings']);
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Note', 'GatewayReplica', 'Problem']),
    );
  });

  it('serves the docs UI for the merged document', async () => {
    const page = await fetch(`${gatewayUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('"url":"/openapi.json"');
    const script = await fetch(`${gatewayUrl}/docs/scalar.js`);
    expect(script.status).toBe(200);
    await script.arrayBuffer();
  });

  it('is live, and ready with every service and replica listed', async () => {
    expect((await fetch(`${gatewayUrl}/health/live`)).status).toBe(200);
    const response = await fetch(`${gatewayUrl}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ready',
      services: {
        notes: {
          modules: ['notes'],
          ready: true,
          documented: true,
          replicas: [{ url: notes.url, state: 'ready', since: expect.any(String) }],
        },
        pings: {
          modules: ['pings'],
          ready: true,
          documented: true,
          replicas: [
            { url: pingsA.url, state: 'ready', since: expect.any(String) },
            { url: pingsB.url, state: 'ready', since: expect.any(String) },
          ],
        },
      },
    });
  });

  it('exposes request and replica metrics', async () => {
    await fetch(`${gatewayUrl}/api/pings`).then((r) => r.arrayBuffer());
    const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
    expect(text).toContain('route="/api/pings/*",status="200"');
    expect(text).toContain(`seam_gateway_replica_up{service="pings",replica="${pingsA.url}"} 1`);
    const breakers = parseExposition(text).samples.filter((s) => s.name === 'seam_breaker_state');
    expect(breakers).toContainEqual({
      name: 'seam_breaker_state',
      labels: { target: 'pings', replica: pingsA.url },
      value: 0,
    });
  });

  it('answers 405 with Allow on its own routes', async () => {
    const response = await fetch(`${gatewayUrl}/health/live`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(await response.json()).toMatchObject({ code: 'method-not-allowed' });
  });
});
