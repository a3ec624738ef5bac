// The OWASP API Security Top 10 (2023) items that cross modules, against the
// whole shop in one process over real HTTP: each describe is named after its
// item. Rate limits and body caps (API4) are in modules/users/src/rate-limits.test.ts,
// headers, CORS and Node's own answers (API8) in modules/platform/src/http/security.test.ts,
// and unsafe consumption (API10) in ./unsafe-consumption.test.ts. See docs/security.md.
import { createHmac, createPrivateKey, randomUUID, sign } from 'node:crypto';
import type { Product } from '@seam/catalog-contract';
import type { Order } from '@seam/orders-contract';
import { generateSigningKey, type SigningKey } from '@seam/platform';
import { expectProblem, startTestHost, type TestHost } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwks, modules } from '../modules.js';
import { json, shop, SUCCESS, type Shop, type Shopper } from '../test-support/shop.js';

const ADMIN = { email: 'owasp-admin@example.com', password: 'a long admin password' };

let t: TestHost;
let api: Shop;
let key: SigningKey;
let ada: Shopper;
let bob: Shopper;
let adminToken: string;
let products: Product[];
let adaOrder: Order;

beforeAll(async () => {
  key = await generateSigningKey();
  t = await startTestHost({
    modules,
    jwks,
    listen: true,
    env: {
      SEAM_DEMO_DATA: 'true',
      SEAM_EVENT_POLL_MS: '20',
      SEAM_ADMIN_EMAIL: ADMIN.email,
      SEAM_ADMIN_PASSWORD: ADMIN.password,
      SEAM_JWT_PRIVATE_KEY: JSON.stringify(key.privateJwk),
      // Every request of this file comes from 127.0.0.1.
      SEAM_REGISTER_RATE_PER_MINUTE: '1000',
      SEAM_LOGIN_RATE_PER_MINUTE: '1000',
    },
  });
  api = shop((path, init) => t.request(path, init));
  [ada, bob] = await Promise.all([api.signUp('Ada'), api.signUp('Bob')]);
  adminToken = await api.logIn(ADMIN.email, ADMIN.password);
  products = await api.products(3);
  await api.waitForStock(products);
  await api.addToCart(ada, products[0]!, 1);
  adaOrder = await api.placeOrder(ada);
  await api.addToCart(ada, products[1]!, 2);
});
afterAll(() => t?.close());

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('API1 broken object level authorization', () => {
  it("answers 404 to another shopper's order, and their cancel changes nothing", async () => {
    await expectProblem(await t.request(`/api/orders/${adaOrder.id}`, bearer(bob.token)), 404);
    const cancel = await t.request(`/api/orders/${adaOrder.id}/cancel`, {
      method: 'POST',
      ...bearer(bob.token),
    });
    await expectProblem(cancel, 404);
    expect((await api.order(ada, adaOrder.id)).status).toBe(adaOrder.status);
    expect((await api.orders(bob)).map((o) => o.id)).not.toContain(adaOrder.id);
  });

  it("answers 404 to another shopper's payments", async () => {
    await expectProblem(await api.payments(bob, adaOrder.id), 404);
    expect(await api.paymentsOf(ada, adaOrder.id)).not.toHaveLength(0);
  });

  it("never lists another shopper's notifications", async () => {
    const adas = await api.notificationsOf(ada);
    const bobs = await api.notificationsOf(bob);
    const adaIds = new Set(adas.map((n) => n.id));
    expect(bobs.some((n) => adaIds.has(n.id))).toBe(false);
    expect(JSON.stringify(bobs)).not.toContain(ada.email);
  });

  it("answers 404 when changing or removing a line of another shopper's cart, which stays as it was", async () => {
    const before = await api.cartOf(ada);
    const line = `/api/cart/items/${products[1]!.id}`;
    const update = await t.request(line, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: 9 }),
    });
    await expectProblem(update, 404);
    await expectProblem(await t.request(line, { method: 'DELETE', ...bearer(bob.token) }), 404);
    expect(await api.cartOf(ada)).toEqual(before);
  });
});

/** forge signs a JWT by hand, so any header, payload and signature can be tried. */
function forge(header: object, payload: object, signer: (input: string) => string): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${signer(input)}`;
}

const eddsa = (signing: SigningKey) => (input: string) =>
  sign(
    null,
    Buffer.from(input),
    createPrivateKey({ key: signing.privateJwk, format: 'jwk' }),
  ).toString('base64url');

function claims(overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: ada.id,
    email: ada.email,
    role: 'admin',
    iss: 'seam',
    aud: 'seam',
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

describe('API2 broken authentication', () => {
  const ordersOf = (authorization?: string) =>
    t.request('/api/orders', authorization ? { headers: { authorization } } : {});

  it('accepts a token forged with the real key (the harness works)', async () => {
    const token = forge({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' }, claims(), eddsa(key));
    expect((await ordersOf(`Bearer ${token}`)).status).toBe(200);
  });

  it('refuses an expired token with 401 token-expired', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    const token = forge(
      { alg: 'EdDSA', kid: key.kid },
      claims({ iat: past - 900, exp: past }),
      eddsa(key),
    );
    await expectProblem(await ordersOf(`Bearer ${token}`), 401, 'token-expired');
  });

  it('refuses a token signed by another key under the right kid', async () => {
    const other = await generateSigningKey();
    const token = forge({ alg: 'EdDSA', kid: key.kid }, claims(), eddsa(other));
    await expectProblem(await ordersOf(`Bearer ${token}`), 401, 'invalid-token');
  });

  it('refuses a token whose kid is unknown', async () => {
    const other = await generateSigningKey();
    const token = forge({ alg: 'EdDSA', kid: other.kid }, claims(), eddsa(other));
    await expectProblem(await ordersOf(`Bearer ${token}`), 401, 'invalid-token');
  });

  it('refuses alg swapped to HS256 keyed with the public key', async () => {
    for (const secret of [JSON.stringify(key.publicJwk), key.publicJwk.x!]) {
      const token = forge({ alg: 'HS256', kid: key.kid }, claims(), (input) =>
        createHmac('sha256', secret).update(input).digest('base64url'),
      );
      await expectProblem(await ordersOf(`Bearer ${token}`), 401, 'invalid-token');
    }
  });

  it('refuses alg none, with or without a signature', async () => {
    for (const signature of ['', 'AA']) {
      const token = forge({ alg: 'none', kid: key.kid }, claims(), () => signature);
      await expectProblem(await ordersOf(`Bearer ${token}`), 401, 'invalid-token');
    }
  });

  it('refuses a token for another audience or issuer', async () => {
    for (const other of [{ aud: 'elsewhere' }, { iss: 'elsewhere' }]) {
      const token = forge({ alg: 'EdDSA', kid: key.kid }, claims(other), eddsa(key));
      await expectProblem(await ordersOf(`Bearer ${token}`), 401, 'invalid-token');
    }
  });

  it('answers a missing bearer 401 unauthorized and a garbled one 401 invalid-token', async () => {
    await expectProblem(await ordersOf(), 401, 'unauthorized');
    for (const garbled of [
      'Bearer',
      'Bearer abc',
      'Bearer a.b',
      'Basic YWRhOnB3',
      'Bearer a.b.c',
    ]) {
      await expectProblem(await ordersOf(garbled), 401, 'invalid-token');
    }
  });
});

describe('API3 broken object property level authorization', () => {
  it('ignores role, id and a password hash sent to register: a customer, with no hidden fields', async () => {
    const email = `mallory-${randomUUID()}@example.com`;
    const id = randomUUID();
    const res = await api.send('POST', '/api/users/register', {
      body: {
        email,
        password: 'correct horse battery staple',
        name: 'Mallory',
        role: 'admin',
        id,
        passwordHash: 'x',
      },
    });
    const user = await json<Record<string, unknown>>(res, 201);
    expect(user).toMatchObject({ email, role: 'customer' });
    expect(user.id).not.toBe(id);
    const token = await api.logIn(email, 'correct horse battery staple');
    const me = await json<Record<string, unknown>>(
      await t.request('/api/users/me', bearer(token)),
      200,
    );
    expect(me.role).toBe('customer');
    for (const answer of [user, me]) {
      expect(Object.keys(answer).sort()).toEqual(['createdAt', 'email', 'id', 'name', 'role']);
    }
    const created = await t.request('/api/catalog/products', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'X-1', name: 'x', price: { amount: 1, currency: 'EUR' } }),
    });
    await expectProblem(created, 403, 'forbidden');
  });

  it('rejects a price sent with a cart line', async () => {
    const res = await api.send('POST', '/api/cart/items', {
      token: bob.token,
      body: { productId: products[0]!.id, quantity: 1, price: { amount: 1, currency: 'EUR' } },
    });
    await expectProblem(res, 400, 'validation-failed');
    expect((await api.cartOf(bob)).items).toHaveLength(0);
  });

  it('rejects a checkout that names its user, status or total, and creates no order', async () => {
    await api.addToCart(bob, products[0]!, 1);
    for (const extra of [
      { userId: ada.id },
      { status: 'confirmed' },
      { total: { amount: 1, currency: 'EUR' } },
    ]) {
      await expectProblem(
        await api.checkout(bob, { ...SUCCESS, ...extra }),
        400,
        'validation-failed',
      );
    }
    expect(await api.orders(bob)).toHaveLength(0);
    expect(await api.orders(ada)).toHaveLength(1);
  });

  it('never answers a password or its hash', async () => {
    const login = await api.send('POST', '/api/users/login', {
      body: { email: ada.email, password: ada.password },
    });
    const answers = [
      await login.text(),
      await (await t.request('/api/users/me', bearer(ada.token))).text(),
    ];
    for (const answer of answers) expect(answer).not.toMatch(/password|hash|scrypt/i);
  });
});

interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: string; schema?: { maximum?: number } }[];
  responses: Record<string, unknown>;
}

/** served reads the served OpenAPI document's operations. */
async function served(): Promise<Operation[]> {
  const doc = await json<{
    paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
  }>(await t.request('/openapi.json'), 200);
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
  );
}

const withIds = (path: string) => path.replace(/\{[^}]+\}/g, randomUUID());

describe('API4 unrestricted resource consumption: page sizes', () => {
  it('caps every documented limit parameter: one above its maximum is a 400', async () => {
    const paged = (await served()).filter(
      (op) =>
        op.method === 'GET' && op.parameters?.some((p) => p.in === 'query' && p.name === 'limit'),
    );
    expect(paged.length).toBeGreaterThanOrEqual(3);
    for (const op of paged) {
      const limit = op.parameters!.find((p) => p.name === 'limit')!;
      expect(limit.schema?.maximum, `${op.path} documents no maximum`).toBeGreaterThan(0);
      const over = limit.schema!.maximum! + 1;
      const res = await t.request(`${withIds(op.path)}?limit=${over}`, bearer(adminToken));
      await expectProblem(res, 400, 'validation-failed');
    }
  });
});

describe('API5 broken function level authorization', () => {
  it('refuses every admin route (documented with 403) to a customer and to no token', async () => {
    const admin = (await served()).filter((op) => '403' in op.responses);
    expect(admin.length).toBeGreaterThanOrEqual(6);
    expect(admin.map((op) => `${op.method} ${op.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/catalog/products',
        'PUT /api/inventory/stock/{productId}',
      ]),
    );
    for (const op of admin) {
      const path = withIds(op.path);
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : '{}';
      const call = (authorization?: string) =>
        t.request(path, {
          method: op.method,
          headers: {
            'content-type': 'application/json',
            ...(authorization ? { authorization } : {}),
          },
          body,
        });
      await expectProblem(await call(`Bearer ${ada.token}`), 403, 'forbidden');
      await expectProblem(await call(), 401, 'unauthorized');
    }
  });

  it('lets the admin through the same routes (the 403 is about the role)', async () => {
    const res = await t.request('/api/events/deliveries', bearer(adminToken));
    expect(res.status).toBe(200);
  });
});

describe('API6 unrestricted access to sensitive business flows', () => {
  it('answers 422 when an Idempotency-Key is reused with another body', async () => {
    const cy = await api.signUp('Cy');
    await api.addToCart(cy, products[2]!, 1);
    const idempotencyKey = randomUUID();
    expect((await api.checkout(cy, SUCCESS, idempotencyKey)).status).toBe(201);
    const other = { ...SUCCESS, shippingAddress: { ...SUCCESS.shippingAddress, city: 'Paris' } };
    await expectProblem(
      await api.checkout(cy, other, idempotencyKey),
      422,
      'orders.idempotency-key-reused',
    );
    expect(await api.orders(cy)).toHaveLength(1);
  });

  it('places exactly one order for 100 concurrent checkouts with one Idempotency-Key', async () => {
    const dee = await api.signUp('Dee');
    await api.addToCart(dee, products[2]!, 1);
    const idempotencyKey = randomUUID();
    const attempt = async (): Promise<string> => {
      for (;;) {
        const res = await api.checkout(dee, SUCCESS, idempotencyKey);
        if (res.status === 201) return res.text();
        await expectProblem(res, 409, 'orders.idempotency-key-in-flight');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const bodies = await Promise.all(Array.from({ length: 100 }, attempt));
    expect(new Set(bodies).size).toBe(1);
    const orders = await api.orders(dee);
    expect(orders).toHaveLength(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ id: orders[0]!.id, status: 'confirmed' });
  });
});

describe('API9 improper inventory management', () => {
  /** INFRASTRUCTURE is what every process serves besides its modules' documented API. */
  const INFRASTRUCTURE = [
    'GET /',
    'GET /console',
    'GET /console/assets/{name}',
    'GET /docs',
    'GET /docs/scalar.js',
    'GET /health/live',
    'GET /health/ready',
    'GET /metrics',
    'GET /openapi.json',
  ];

  it('serves exactly the documented operations under /api, and nothing else but the infrastructure', async () => {
    const routes = new Set(
      t.host.app.routes
        .filter((r) => r.method !== 'ALL' && r.method !== 'HEAD')
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1')}`)
        .filter((r) => !/^GET \/api\/\w+\/openapi\.json$/.test(r)),
    );
    const documented = new Set((await served()).map((op) => `${op.method} ${op.path}`));
    const undocumented = [...routes].filter(
      (r) => !documented.has(r) && !INFRASTRUCTURE.includes(r),
    );
    expect(undocumented).toEqual([]);
    expect([...documented].filter((op) => !routes.has(op))).toEqual([]);
    expect(routes).toContain('GET /api/orders/{id}');
    expect(documented.size).toBeGreaterThan(20);
  });

  it('does not serve the internal operations publicly without the service credential', async () => {
    const res = await t.request('/internal/operations/users/getUser', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: ada.id }),
    });
    await expectProblem(res, 401, 'invalid-service-token');
  });
});
