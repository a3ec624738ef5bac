import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchRequester, readAnswer, send, UnexpectedStatusError, type Requester } from './send.js';

/** recording answers every request with `answer` and keeps what was sent. */
function recording(answer = () => Response.json({ ok: true })) {
  const sent: Request[] = [];
  const request: Requester = async (path, init) => {
    sent.push(new Request(`http://shop.test${path}`, init));
    return answer();
  };
  return { request, sent };
}

describe('send', () => {
  it('sends an object body as JSON with a bearer token and extra headers', async () => {
    const { request, sent } = recording();
    await send(request, 'POST', '/api/orders', {
      body: { card: '4242' },
      token: 'tok',
      headers: { 'Idempotency-Key': 'key-1' },
    });
    const [req] = sent as [Request];
    expect(req.method).toBe('POST');
    expect(new URL(req.url).pathname).toBe('/api/orders');
    expect(Object.fromEntries(req.headers)).toEqual({
      authorization: 'Bearer tok',
      'content-type': 'application/json',
      'idempotency-key': 'key-1',
    });
    expect(await req.text()).toBe('{"card":"4242"}');
  });

  it('sends a string body as is, keeping a content type it is given', async () => {
    const { request, sent } = recording();
    await send(request, 'POST', '/api/orders', {
      body: 'card=4242',
      headers: { 'content-type': 'text/plain' },
    });
    const [req] = sent as [Request];
    expect(req.headers.get('content-type')).toBe('text/plain');
    expect(await req.text()).toBe('card=4242');
  });

  it('sends neither body nor content type nor authorization when none is given', async () => {
    const { request, sent } = recording();
    await send(request, 'GET', '/api/cart');
    const [req] = sent as [Request];
    expect([...req.headers.keys()]).toEqual([]);
    expect(req.body).toBeNull();
  });
});

describe('readAnswer', () => {
  it('returns the JSON body of an answer with the expected status', async () => {
    expect(await readAnswer(Response.json({ id: 1 }, { status: 201 }), 201, 'POST /x')).toEqual({
      id: 1,
    });
  });

  it('returns undefined for an empty answer', async () => {
    expect(await readAnswer(new Response(null, { status: 204 }), 204, 'DELETE /x')).toBeUndefined();
  });

  it('throws an UnexpectedStatusError naming the request, both statuses and the body', async () => {
    const answer = new Response('{"code":"module-unavailable"}', {
      status: 503,
      headers: { 'content-type': 'application/problem+json' },
    });
    const error = await readAnswer(answer, 201, 'POST /api/orders').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedStatusError);
    expect(error).toMatchObject({ request: 'POST /api/orders', status: 503, expected: 201 });
    expect((error as Error).message).toBe(
      'POST /api/orders → 503 (expected 201): {"code":"module-unavailable"}',
    );
  });

  it('throws when a success is not JSON, or an expected error is not a problem', async () => {
    await expect(readAnswer(new Response('hello'), 200, 'GET /x')).rejects.toThrow(
      'GET /x → 200 answered text/plain;charset=UTF-8: hello',
    );
    await expect(readAnswer(Response.json({}, { status: 404 }), 404, 'GET /y')).rejects.toThrow(
      /GET \/y → 404 answered application\/json/,
    );
  });
});

describe('fetchRequester', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ method: req.method, url: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends to the path under the base URL', async () => {
    const res = await send(fetchRequester(baseUrl), 'PUT', '/api/things?x=1', { body: {} });
    expect(await res.json()).toEqual({ method: 'PUT', url: '/api/things?x=1' });
  });

  it('gives up after timeoutMs', async () => {
    const request = fetchRequester(baseUrl, { timeoutMs: 50 });
    await expect(send(request, 'GET', '/slow')).rejects.toThrow(/timeout|aborted/i);
  });
});
