// createSeamClient against a real HTTP server on loopback that records what it
// receives and answers like Seam: the base URL, paths and query strings, the
// bearer token, JSON bodies, and answers read as `data` or as a problem `error`.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createSeamClient, type Schemas } from './index.js';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

const PRODUCT: Schemas['Product'] = {
  id: '8e9f27c6-dd9e-50b3-9b0e-03b140b75431',
  sku: 'COF-GRN-001',
  name: 'Conical Burr Espresso Grinder',
  description: 'Stepless grind adjustment.',
  price: { amount: 24900, currency: 'EUR' },
  category: 'coffee',
  createdAt: '2025-01-06T09:00:00.000Z',
  updatedAt: '2025-01-06T09:00:00.000Z',
};

const NOT_FOUND: Schemas['Problem'] = {
  type: 'urn:seam:problem:not-found',
  title: 'Not Found',
  status: 404,
  detail: 'Product 00000000-0000-4000-8000-000000000000 does not exist',
  code: 'not-found',
};

let server: Server;
let baseUrl: string;
const received: Received[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    received.push({
      method: req.method!,
      url: req.url!,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body: await readBody(req),
    });
    if (req.url === `/api/catalog/products/${PRODUCT.id}`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(PRODUCT));
    } else if (req.url?.startsWith('/api/catalog/products/')) {
      res.writeHead(404, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify(NOT_FOUND));
    } else {
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(PRODUCT));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('createSeamClient', () => {
  it('fills the path parameters and reads a 2xx answer as data', async () => {
    const seam = createSeamClient({ baseUrl });
    const { data, error, response } = await seam.GET('/api/catalog/products/{id}', {
      params: { path: { id: PRODUCT.id } },
    });
    expect(response.status).toBe(200);
    expect(error).toBeUndefined();
    expect(data).toEqual(PRODUCT);
    expect(received.at(-1)).toMatchObject({
      method: 'GET',
      url: `/api/catalog/products/${PRODUCT.id}`,
      authorization: undefined,
    });
  });

  it('reads a problem answer as error, typed as the API documents it', async () => {
    const seam = createSeamClient({ baseUrl });
    const { data, error, response } = await seam.GET('/api/catalog/products/{id}', {
      params: { path: { id: '00000000-0000-4000-8000-000000000000' } },
    });
    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    expect(error).toEqual(NOT_FOUND);
  });

  it('serialises the query string', async () => {
    const seam = createSeamClient({ baseUrl });
    await seam.GET('/api/catalog/products', {
      params: { query: { limit: 5, q: 'burr grinder', category: 'coffee' } },
    });
    expect(received.at(-1)!.url).toBe(
      '/api/catalog/products?limit=5&q=burr%20grinder&category=coffee',
    );
  });

  it('sends the token of the client with every request, and a per-request one instead', async () => {
    const seam = createSeamClient({ baseUrl, token: 'client.token.one' });
    await seam.GET('/api/cart');
    expect(received.at(-1)!.authorization).toBe('Bearer client.token.one');
    await seam.GET('/api/cart', { headers: bearer('request.token.two') });
    expect(received.at(-1)!.authorization).toBe('Bearer request.token.two');
  });

  it('sends a body as JSON with the headers the operation declares', async () => {
    const seam = createSeamClient({ baseUrl, token: 'a.b.c' });
    const body = {
      paymentMethod: { card: '4242 4242 4242 4242' },
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 Analytical Row',
        city: 'London',
        postalCode: 'N1 9GU',
        country: 'GB',
      },
    };
    const { response } = await seam.POST('/api/orders', {
      params: { header: { 'idempotency-key': 'order-1' } },
      body,
    });
    expect(response.status).toBe(201);
    const last = received.at(-1)!;
    expect(last).toMatchObject({ method: 'POST', url: '/api/orders' });
    expect(last.contentType).toBe('application/json');
    expect(JSON.parse(last.body)).toEqual(body);
  });

  it('sends through a custom fetch, as an in-process app does', async () => {
    const seen: string[] = [];
    const seam = createSeamClient({
      baseUrl: 'http://seam.internal',
      fetch: async (request) => {
        seen.push(`${request.method} ${request.url} ${request.headers.get('idempotency-key')}`);
        return fetch(request.url.replace('http://seam.internal', baseUrl), request);
      },
    });
    const { data } = await seam.GET('/api/catalog/products/{id}', {
      params: { path: { id: PRODUCT.id } },
    });
    expect(data).toEqual(PRODUCT);
    expect(seen).toEqual([`GET http://seam.internal/api/catalog/products/${PRODUCT.id} null`]);
  });
});
