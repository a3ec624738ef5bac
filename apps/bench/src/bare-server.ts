// The read-path baseline: a bare `node:http` server on postgres.js answering
// GET /api/catalog/products/{id} and GET /api/catalog/products?limit=N with the
// SELECTs catalog's get-product.ts and list-products.ts make (drizzle's SQL,
// the same pool size) and the same JSON shape — no framework, no validation, no
// logging. Started as a child process by the read benchmark, on the database a
// Seam server created and seeded (DATABASE_URL).
//
// With BARE_FRAMEWORK=hono the same handler answers through a Hono app on
// @hono/node-server (two routes, `c.json`, nothing else): the floor of the
// framework Seam is built on, so the benchmark can tell what Hono and its Node
// adapter cost from what Seam adds on top.
import { createServer, type ServerResponse } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('bare-server needs DATABASE_URL (the database Seam seeded)');

const sql = postgres(url, { max: 10, onnotice: () => {} });
const PRODUCT_PATH = /^\/api\/catalog\/products\/([0-9a-fA-F-]{36})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  description: string;
  price_amount: string;
  price_currency: string;
  category: string;
  created_at: Date;
  updated_at: Date;
}

type Answer = [status: number, body: unknown];

async function handle(method: string, target: string): Promise<Answer> {
  const [path = '/', search = ''] = target.split('?', 2);
  if (method !== 'GET') return [405, { title: 'Method not allowed' }];
  if (path === '/health/ready') return [200, { status: 'ready' }];
  const match = PRODUCT_PATH.exec(path);
  if (match) {
    const id = match[1]!;
    if (!UUID.test(id)) return [400, { title: 'Invalid id' }];
    const [row] = await sql<ProductRow[]>`
      select "id", "sku", "name", "description", "price_amount", "price_currency", "category", "created_at", "updated_at"
      from "catalog"."products" where "catalog"."products"."id" = ${id} limit ${1}`;
    if (!row) return [404, { title: 'Not found' }];
    return [200, toProduct(row)];
  }
  if (path === '/api/catalog/products') {
    const limit = Number(new URLSearchParams(search).get('limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return [400, { title: 'Invalid limit' }];
    }
    const rows = await sql<ProductRow[]>`
      select "id", "sku", "name", "description", "price_amount", "price_currency", "category", "created_at", "updated_at"
      from "catalog"."products"
      order by "catalog"."products"."created_at" asc, "catalog"."products"."id" asc limit ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return [
      200,
      {
        items: page.map(toProduct),
        nextCursor:
          rows.length > limit && last
            ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString(
                'base64url',
              )
            : null,
      },
    ];
  }
  return [404, { title: 'Not found' }];
}

function toProduct(row: ProductRow) {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: { amount: Number(row.price_amount), currency: row.price_currency },
    category: row.category,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? '127.0.0.1';
const listening = () => console.log(JSON.stringify({ msg: 'listening', port }));
const server =
  process.env.BARE_FRAMEWORK === 'hono'
    ? honoServer()
    : nodeServer().listen(port, hostname, listening);

function nodeServer() {
  return createServer((req, res) => {
    handle(req.method ?? 'GET', req.url ?? '/').then(
      ([status, body]) => send(res, status, body),
      (error: unknown) =>
        send(res, 500, { title: 'Internal error', detail: (error as Error).message }),
    );
  });
}

function honoServer() {
  const app = new Hono();
  const answer = async (c: import('hono').Context) => {
    const url = c.req.url;
    const [status, body] = await handle('GET', url.slice(url.indexOf('/', 8)));
    return c.json(body, status as 200);
  };
  app.get('/health/ready', answer);
  app.get('/api/catalog/products', answer);
  app.get('/api/catalog/products/:id', answer);
  return serve({ fetch: app.fetch, port, hostname }, listening) as ReturnType<typeof createServer>;
}

process.on('SIGTERM', () => {
  server.close(() => {
    sql.end({ timeout: 1 }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  server.closeAllConnections();
});
