import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notes, notesModule } from './testing/fixtures/index.js';
import { createHost } from './host.js';
import { AppError, type Problem } from './errors.js';
import { createTestTokens, jsonRequest, startTestHost, type TestHost } from './testing/index.js';

// OpenApiJson is the loose shape these tests read from generated documents.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OpenApiJson = Record<string, any>;

let t: TestHost;
let tokens: Awaited<ReturnType<typeof createTestTokens>>;

beforeAll(async () => {
  tokens = await createTestTokens();
  t = await startTestHost({
    modules: [notesModule],
    jwks: tokens.jwks,
    listen: true,
    env: { SEAM_BODY_LIMIT_BYTES: '2048' },
  });
});
afterAll(() => t.close());

async function countNotes(): Promise<number> {
  return t.host.database.db.$count(notes);
}

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Problem;
  expect(body).toMatchObject({ type: `urn:seam:problem:${code}`, status, code });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|hunter2/);
  return body;
}

/** sendOn sends one request over `agent` (to reuse its connection) and reads the answer. */
function sendOn(
  agent: Agent,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number }> {
  const url = new URL(t.url!);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      agent,
      host: url.hostname,
      port: url.port,
      method,
      path,
      headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode! }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** sendRaw writes bytes to the server and returns everything it answers before closing. */
function sendRaw(text: string): Promise<string> {
  const url = new URL(t.url!);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname, () => socket.end(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('problem responses', () => {
  it('returns 404 problem+json for an unknown route', async () => {
    const body = await expectProblem(await t.request('/api/notes/nope'), 404, 'route-not-found');
    expect(body.detail).toBe('No route matches GET /api/notes/nope');
  });

  it('returns 405 with an Allow header for a known path and a wrong method', async () => {
    const res = await t.request('/api/notes/notes', { method: 'DELETE' });
    await expectProblem(res, 405, 'method-not-allowed');
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('returns 400 malformed-json when the body is not JSON, and writes nothing', async () => {
    const before = await countNotes();
    const res = await t.request('/api/notes/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text": "unterminated',
    });
    const body = await expectProblem(res, 400, 'malformed-json');
    expect(body.detail).toBe('The request body is not valid JSON');
    expect(await countNotes()).toBe(before);
  });

  it('returns 415 when the body is not application/json', async () => {
    const res = await t.request('/api/notes/notes', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'text=hello',
    });
    await expectProblem(res, 415, 'unsupported-media-type');
  });

  it('returns 400 with field errors when the body fails validation', async () => {
    const before = await countNotes();
    const res = await t.request('/api/notes/notes', jsonRequest('POST', { text: 42 }));
    const body = await expectProblem(res, 400, 'validation-failed');
    expect(body.errors).toEqual([expect.objectContaining({ path: 'text', code: 'invalid_type' })]);
    expect(body.detail).toContain('request body');
    expect(await countNotes()).toBe(before);
  });

  it('returns 400 with the field for text holding a NUL character, and writes nothing', async () => {
    // Postgres text cannot store U+0000: this was a 500 from the database.
    const before = await countNotes();
    const res = await t.request('/api/notes/notes', jsonRequest('POST', { text: 'a\u0000b' }));
    const body = await expectProblem(res, 400, 'validation-failed');
    expect(body.errors).toEqual([expect.objectContaining({ path: 'text' })]);
    expect(await countNotes()).toBe(before);
  });

  it('returns 400 when the body is missing entirely', async () => {
    const res = await t.request('/api/notes/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
  });

  it('returns 400 with the path field for an invalid path parameter', async () => {
    const body = await expectProblem(
      await t.request('/api/notes/notes/not-a-uuid'),
      400,
      'validation-failed',
    );
    expect(body.errors?.[0]?.path).toBe('id');
  });

  it('returns 413 for a body over the limit, and writes nothing', async () => {
    const before = await countNotes();
    const res = await t.request(
      '/api/notes/notes',
      jsonRequest('POST', { text: 'x'.repeat(5_000) }),
    );
    await expectProblem(res, 413, 'payload-too-large');
    expect(await countNotes()).toBe(before);
  });

  it('returns 413 for a chunked body over the limit', async () => {
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        controller.close();
      },
    });
    const res = await fetch(`${t.url}/api/notes/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 413, 'payload-too-large');
  });

  it('keeps a kept-alive connection usable after a 413 sent before the body was read', async () => {
    // The body is far larger than socket buffers: it is still arriving when the 413 goes out.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = await sendOn(agent, 'POST', '/api/notes/notes', 'x'.repeat(400_000));
      expect(big.status).toBe(413);
      const next = await sendOn(agent, 'GET', '/api/notes/nope');
      expect(next.status).toBe(404);
    } finally {
      agent.destroy();
    }
  });

  it('answers headers over the limit with a 431 problem, not a bare status line', async () => {
    const answer = await sendRaw(
      `GET /api/notes/nope HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('content-type: application/problem+json');
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({
      status: 431,
      code: 'headers-too-large',
      type: 'urn:seam:problem:headers-too-large',
    });
  });

  it('answers a request Node cannot parse with a 400 problem', async () => {
    const answer = await sendRaw('GET /api/notes/nope HTTP/1.1\r\nbad header\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toMatchObject({
      status: 400,
      code: 'bad-request',
    });
  });

  it('returns 500 with a request id and no internals for an unexpected error', async () => {
    const res = await t.request('/api/notes/boom', { headers: { 'x-request-id': 'trace-123' } });
    const body = await expectProblem(res, 500, 'internal');
    expect(body.requestId).toBe('trace-123');
    expect(body.detail).toContain('trace-123');
    expect(res.headers.get('x-request-id')).toBe('trace-123');
  });

  it('replaces an unsafe incoming request id with a generated one', async () => {
    const res = await t.request('/api/notes/nope', {
      headers: { 'x-request-id': 'bad id\twith spaces' },
    });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('routes', () => {
  it('creates and reads a note', async () => {
    const res = await t.request('/api/notes/notes', jsonRequest('POST', { text: 'hi' }));
    expect(res.status).toBe(201);
    const note = (await res.json()) as { id: string };
    const again = await t.request(`/api/notes/notes/${note.id}`);
    expect(await again.json()).toEqual(note);
  });

  it('returns 404 problem for an unknown id', async () => {
    await expectProblem(await t.request(`/api/notes/notes/${randomUUID()}`), 404, 'not-found');
  });
});

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate when no token is sent', async () => {
    const res = await t.request('/api/notes/secret');
    await expectProblem(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 401 for a malformed Authorization header', async () => {
    const res = await t.request('/api/notes/secret', { headers: { authorization: 'Basic abc' } });
    await expectProblem(res, 401, 'invalid-token');
  });

  it('answers 401 for a token signed by another key', async () => {
    const stranger = await createTestTokens();
    const token = await stranger.sign({ id: randomUUID(), email: 'a@example.com', role: 'admin' });
    const res = await t.request('/api/notes/secret', jsonRequest('GET', undefined, token));
    await expectProblem(res, 401, 'invalid-token');
  });

  it('answers 401 for an unsigned (alg none) token', async () => {
    const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: randomUUID(), email: 'a@b.c', role: 'admin', iss: 'seam', aud: 'seam' })}.`;
    const res = await t.request('/api/notes/secret', {
      headers: { authorization: `Bearer ${token}x` },
    });
    await expectProblem(res, 401, 'invalid-token');
  });

  it('answers 403 for a customer on an admin route', async () => {
    const token = await tokens.sign({ id: randomUUID(), email: 'c@example.com', role: 'customer' });
    await expectProblem(
      await t.request('/api/notes/secret', jsonRequest('GET', undefined, token)),
      403,
      'forbidden',
    );
  });

  it('lets an admin through', async () => {
    const token = await tokens.sign({ id: randomUUID(), email: 'a@example.com', role: 'admin' });
    const res = await t.request('/api/notes/secret', jsonRequest('GET', undefined, token));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('health, OpenAPI and docs', () => {
  it('reports live and ready with the database checked', async () => {
    expect(await (await t.request('/health/live')).json()).toEqual({ status: 'ok' });
    const ready = await t.request('/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      database: t.database.kind,
      checks: { database: 'ok', process: 'ok' },
    });
  });

  it('exposes Prometheus metrics labelled by route template, not raw path', async () => {
    const id = randomUUID();
    await t.request(`/api/notes/notes/${id}`);
    const res = await t.request('/metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('seam_info{service="monolith",modules="notes"} 1');
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="\/api\/notes\/notes\/:id",status="404"\} [1-9]/,
    );
    expect(text).toMatch(
      /http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/,
    );
    expect(text).not.toContain(id);
    expect(text).toMatch(/process_resident_memory_bytes \d+/);
  });

  it('serves a merged OpenAPI 3.1 document with every route documented', async () => {
    const doc = (await (await t.request('/openapi.json')).json()) as OpenApiJson;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/console/services/{service}/deliveries/{id}/retry',
      '/api/console/state',
      '/api/events/deliveries',
      '/api/events/deliveries/{id}/retry',
      '/api/notes/boom',
      '/api/notes/headers',
      '/api/notes/notes',
      '/api/notes/notes/{id}',
      '/api/notes/secret',
      '/api/notes/slow',
      '/api/notes/unavailable',
    ]);
    expect(doc.components.schemas).toHaveProperty('Note');
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(doc.paths['/api/notes/secret'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/api/notes/notes'].post.responses['400'].content).toHaveProperty(
      'application/problem+json',
    );
    for (const [path, item] of Object.entries<
      Record<string, { summary?: string; tags?: string[] }>
    >(doc.paths)) {
      for (const operation of Object.values(item)) {
        expect(operation.summary).toBeTruthy();
        expect(operation.tags).toEqual([path.split('/')[2]]);
      }
    }
  });

  it('serves each module document under its own prefix', async () => {
    const doc = (await (await t.request('/api/notes/openapi.json')).json()) as OpenApiJson;
    expect(doc.info.title).toBe('Seam notes API');
    expect(Object.keys(doc.paths)).toContain('/api/notes/notes/{id}');
  });

  it('serves the docs page and the Scalar bundle from the process itself', async () => {
    const page = await t.request('/docs');
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('/docs/scalar.js');
    expect(html).toContain('"url":"/openapi.json"');
    const script = await t.request('/docs/scalar.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });
});

describe('start-up configuration', () => {
  it('refuses to start with a bad PORT and names the variable', async () => {
    const error = await createHost({ modules: [notesModule], env: { PORT: 'eighty' } }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('invalid-configuration');
    expect(error.detail).toContain('PORT');
  });

  it('refuses to start when SEAM_MODULES names an unknown module', async () => {
    const error = await createHost({
      modules: [notesModule],
      env: { SEAM_MODULES: 'notes,billing', LOG_LEVEL: 'silent' },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error.detail).toContain('billing');
    expect(error.detail).toContain('known modules are notes');
  });
});

describe('topology', () => {
  it('hosts the modules the topology gives SEAM_SERVICE and reaches the others over HTTP', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seam-topology-'));
    const file = join(dir, 'two.json');
    await writeFile(
      file,
      JSON.stringify({
        services: {
          notes: { modules: ['notes'], replicas: ['http://127.0.0.1:3901'] },
          other: {
            modules: ['ghost'],
            replicas: ['http://127.0.0.1:3902', 'http://127.0.0.1:3903'],
          },
        },
      }),
    );
    const ghost = { ...notesModule, contract: { ...notesModule.contract, name: 'ghost' } };
    const topo = await startTestHost({
      modules: [notesModule, ghost as typeof notesModule],
      env: { SEAM_TOPOLOGY: file, SEAM_SERVICE: 'notes' },
    });
    try {
      expect(topo.host.hosted).toEqual(['notes']);
      expect(topo.host.config.SEAM_REMOTES).toEqual({
        ghost: ['http://127.0.0.1:3902', 'http://127.0.0.1:3903'],
      });
    } finally {
      await topo.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a topology that does not name this service, listing the ones it has', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seam-topology-'));
    const file = join(dir, 'one.json');
    await writeFile(
      file,
      JSON.stringify({
        services: { notes: { modules: ['notes'], replicas: ['http://127.0.0.1:3901'] } },
      }),
    );
    const error = await createHost({
      modules: [notesModule],
      env: { SEAM_TOPOLOGY: file, SEAM_SERVICE: 'nope', LOG_LEVEL: 'silent' },
    }).catch((e) => e);
    await rm(dir, { recursive: true, force: true });
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('invalid-configuration');
    expect(error.detail).toContain('service "nope" is not in the topology; its services are notes');
  });

  it('refuses the NATS event transport without servers, before opening the database', async () => {
    const error = await createHost({
      modules: [notesModule],
      env: {
        SEAM_EVENT_TRANSPORT: 'nats',
        SEAM_DATA_DIR: '/nonexistent/seam',
        LOG_LEVEL: 'silent',
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('invalid-configuration');
    expect(error.detail).toContain('SEAM_EVENT_TRANSPORT=nats needs SEAM_NATS_SERVERS');
  });
});
