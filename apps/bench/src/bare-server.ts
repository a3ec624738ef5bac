// The read-path baseline: a bare `node:http` server on postgres.js answering
// GET /api/catalog/products/{id} and GET /api/catalog/products?limit=N with the
// SELECTs catalog's get-product.ts and list-products.ts make (drizzle's SQL,
// the same pool size) and the same JSON shape — no framework, no validation, no
// logging. Started as a child process by the read benchmark, on the database a
// Seam server created and seeded (DATABASE_URL).
import { createServer, type ServerResponse } from 'node:http';
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

const server = createServer((req, res) => {
  handle(req.method ?? 'GET', req.url ?? '/', res).catch((error: unknown) => {
    send(res, 500, { title: 'Internal error', detail: (error as Error).message });
  });
});

async function handle(method: string, target: string, res: ServerResponse): Promise<void> {
  const [path = '/', search = ''] = target.split('?', 2);
  if (method !== 'GET') return send(res, 405, { title: 'Method not allowed' });
  if (path === '/health/ready') return send(res, 200, { status: 'ready' });
  const match = PRODUCT_PATH.exec(path);
  if (match) {
    const id = match[1]!;
    if (!UUID.test(id)) return send(res, 400, { title: 'Invalid id' });
    const [row] = await sql<ProductRow[]>`
      select "id", "sku", "name", "description", "price_amount", "price_currency", "category", "created_at", "updated_at"
      from "catalog"."products" where "catalog"."products"."id" = ${id} limit ${1}`;
    if (!row) return send(res, 404, { title: 'Not found' });
    return send(res, 200, toProduct(row));
  }
  if (path === '/api/catalog/products') {
    const limit = Number(new URLSearchParams(search).get('limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      return send(res, 400, { title: 'Invalid limit' });
    }
    const rows = await sql<ProductRow[]>`
      select "id", "sku", "name", "description", "price_amount", "price_currency", "category", "created_at", "updated_at"
      from "catalog"."products"
      order by "catalog"."products"."created_at" asc, "catalog"."products"."id" asc limit ${limit + 1}`;
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return send(res, 200, {
      items: page.map(toProduct),
      nextCursor:
        rows.length > limit && last
          ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString(
              'base64url',
            )
          : null,
    });
  }
  send(res, 404, { title: 'Not found' });
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

server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'listening', port: process.env.PORT }));
});

process.on('SIGTERM', () => {
  server.close(() => {
    sql.end({ timeout: 1 }).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
  server.closeAllConnections();
});
