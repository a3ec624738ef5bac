// The shopper's journey as one scripted conversation with the public API, recorded
// exchange by exchange: register, log in, browse, fill a cart, check out with an
// Idempotency-Key (and replay it), look at someone else's order, pay with a declined
// card, read notifications, cancel, manage the catalog as an admin, and send bad
// input. The same script runs against the monolith and every topology; what it
// records is normalised (ids, tokens, timestamps) so that two runs can be compared
// with one `toEqual`: same URLs, same statuses, same headers that matter, same bodies.
import { TEST_CARDS } from '@seam/payments-contract';
import { expect } from 'vitest';

/** One request and its answer, normalised. */
export interface Exchange {
  step: string;
  request: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Json is a parsed answer body. The journey checks each status before it reads a
 * field it knows the answer has, so it reads bodies untyped rather than restating
 * every contract's schema here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type Json = any;

/** The answer headers a client can rely on, compared between runs. */
const COMPARED_HEADERS = ['content-type', 'idempotent-replayed', 'retry-after', 'allow'];

export const ADMIN = { email: 'owner@example.com', password: 'a-long-admin-password' };
/** ADMIN_ENV makes the users module create the admin on first start. */
export const ADMIN_ENV = { SEAM_ADMIN_EMAIL: ADMIN.email, SEAM_ADMIN_PASSWORD: ADMIN.password };

const PASSWORD = 'correct horse battery staple';
const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};
const paying = (card: string) => ({ paymentMethod: { card }, shippingAddress: ADDRESS });

interface Options {
  /** baseUrl is the server's (monolith) or the gateway's. */
  baseUrl: string;
  /** pollMs and pollTimeoutMs bound the waits for asynchronous outcomes (events). */
  pollMs?: number;
  pollTimeoutMs?: number;
}

/**
 * runJourney plays the journey against `baseUrl` and returns what it saw. It also
 * asserts the statuses the product promises, so a run that diverges fails where
 * it diverges, with the answer in the message.
 */
export async function runJourney(options: Options): Promise<Exchange[]> {
  const transcript: Exchange[] = [];
  const normalise = normaliser();
  const pollMs = options.pollMs ?? 100;
  const pollTimeoutMs = options.pollTimeoutMs ?? 30_000;

  interface Sent {
    status: number;
    body: Json;
    headers: Headers;
  }
  /** call sends one request; `expected` is the status it must get; it is recorded. */
  const call = async (
    step: string,
    expected: number,
    method: string,
    path: string,
    init: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {},
    record = true,
  ): Promise<Sent> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.raw !== undefined) {
      body = init.raw;
    }
    const res = await fetch(`${options.baseUrl}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) {
      parsed = JSON.parse(text);
    }
    expect(res.status, `${step}: ${method} ${path} answered ${text.slice(0, 500)}`).toBe(expected);
    if (record) {
      const kept: Record<string, string> = {};
      for (const name of COMPARED_HEADERS) {
        const value = res.headers.get(name);
        if (value !== null) kept[name] = value;
      }
      transcript.push({
        step,
        request: `${method} ${normalise(path)}`,
        status: res.status,
        headers: kept,
        body: normalise(parsed),
      });
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };

  /** until polls a GET until `done` holds, then records that last answer. */
  const until = async (
    step: string,
    path: string,
    token: string | undefined,
    done: (body: Json) => boolean,
  ): Promise<Json> => {
    const deadline = Date.now() + pollTimeoutMs;
    for (;;) {
      const res = await call(step, 200, 'GET', path, { token }, false);
      if (done(res.body)) return (await call(step, 200, 'GET', path, { token })).body;
      if (Date.now() > deadline) {
        throw new Error(`${step}: GET ${path} still says ${JSON.stringify(res.body)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };

  // --- Accounts -------------------------------------------------------------
  const ada = { email: 'ada@example.com', name: 'Ada' };
  await call('register Ada', 201, 'POST', '/api/users/register', {
    json: { ...ada, password: PASSWORD },
  });
  await call('register Ada twice', 409, 'POST', '/api/users/register', {
    json: { ...ada, password: PASSWORD },
  });
  await call('register with bad fields', 400, 'POST', '/api/users/register', {
    json: { email: 'not-an-email', password: 'short', name: '' },
  });
  await call('log in with a wrong password', 401, 'POST', '/api/users/login', {
    json: { email: ada.email, password: 'wrong password, long enough' },
  });
  const adaToken: string = (
    await call('log in', 200, 'POST', '/api/users/login', {
      json: { email: ada.email, password: PASSWORD },
    })
  ).body.accessToken;
  await call('who am I', 200, 'GET', '/api/users/me', { token: adaToken });
  await call('who am I with a forged token', 401, 'GET', '/api/users/me', {
    token: `${adaToken.slice(0, -4)}AAAA`,
  });

  // --- Browsing -------------------------------------------------------------
  const page = (await call('browse', 200, 'GET', '/api/catalog/products?limit=5')).body;
  await call(
    'browse the next page',
    200,
    'GET',
    `/api/catalog/products?limit=5&cursor=${encodeURIComponent(page.nextCursor)}`,
  );
  await call('search', 200, 'GET', '/api/catalog/products?q=grinder');
  await call('browse with a bad limit', 400, 'GET', '/api/catalog/products?limit=0');
  await call('browse with a bad cursor', 400, 'GET', '/api/catalog/products?cursor=%%%');
  const all = (await call('browse everything', 200, 'GET', '/api/catalog/products?limit=100')).body
    .items as { id: string; price: { currency: string } }[];
  const euros = all.filter((p) => p.price.currency === 'EUR');
  expect(euros.length, 'the demo catalog has three products in euros').toBeGreaterThanOrEqual(3);
  const [grinder, kettle, third] = euros as unknown as [
    { id: string },
    { id: string },
    { id: string },
  ];
  await call('one product', 200, 'GET', `/api/catalog/products/${grinder.id}`);
  await call(
    'a product that does not exist',
    404,
    'GET',
    '/api/catalog/products/00000000-0000-4000-8000-000000000000',
  );
  await call('a product id that is not a uuid', 400, 'GET', '/api/catalog/products/nope');
  for (const product of [grinder, kettle, third]) {
    await until('stock is seeded', `/api/inventory/stock/${product.id}`, undefined, (stock) => {
      return stock.available >= 10;
    });
  }

  // --- Cart -----------------------------------------------------------------
  await call('cart without a token', 401, 'GET', '/api/cart');
  await call('empty cart', 200, 'GET', '/api/cart', { token: adaToken });
  await call('add two grinders', 200, 'POST', '/api/cart/items', {
    token: adaToken,
    json: { productId: grinder.id, quantity: 2 },
  });
  await call('add a kettle', 200, 'POST', '/api/cart/items', {
    token: adaToken,
    json: { productId: kettle.id, quantity: 1 },
  });
  await call('add a zero quantity', 400, 'POST', '/api/cart/items', {
    token: adaToken,
    json: { productId: kettle.id, quantity: 0 },
  });
  await call('add a product that does not exist', 404, 'POST', '/api/cart/items', {
    token: adaToken,
    json: { productId: '00000000-0000-4000-8000-000000000000', quantity: 1 },
  });
  await call('change a quantity', 200, 'PATCH', `/api/cart/items/${kettle.id}`, {
    token: adaToken,
    json: { quantity: 2 },
  });
  await call('change it back', 200, 'PATCH', `/api/cart/items/${kettle.id}`, {
    token: adaToken,
    json: { quantity: 1 },
  });

  // --- Checkout -------------------------------------------------------------
  const success = paying(TEST_CARDS.success);
  await call('check out without an Idempotency-Key', 400, 'POST', '/api/orders', {
    token: adaToken,
    json: success,
  });
  await call('check out with malformed JSON', 400, 'POST', '/api/orders', {
    token: adaToken,
    raw: '{"paymentMethod":',
    headers: { 'content-type': 'application/json', 'idempotency-key': 'journey-malformed' },
  });
  await call('check out as text', 415, 'POST', '/api/orders', {
    token: adaToken,
    raw: 'card=4242',
    headers: { 'content-type': 'text/plain', 'idempotency-key': 'journey-text' },
  });
  await call('check out with a bad card number', 400, 'POST', '/api/orders', {
    token: adaToken,
    json: paying('1234'),
    headers: { 'idempotency-key': 'journey-bad-card' },
  });
  await call('check out without a token', 401, 'POST', '/api/orders', {
    json: success,
    headers: { 'idempotency-key': 'journey-anonymous' },
  });
  const key = { 'idempotency-key': 'journey-ada-1' };
  const order = (
    await call('check out', 201, 'POST', '/api/orders', {
      token: adaToken,
      json: success,
      headers: key,
    })
  ).body;
  expect(order.status).toBe('confirmed');
  await call('replay the checkout', 201, 'POST', '/api/orders', {
    token: adaToken,
    json: success,
    headers: key,
  });
  await call('reuse the key with another body', 422, 'POST', '/api/orders', {
    token: adaToken,
    json: paying(TEST_CARDS.declined),
    headers: key,
  });
  await until('the cart empties after the order', '/api/cart', adaToken, (cart) => {
    return cart.items.length === 0;
  });
  await call('the order', 200, 'GET', `/api/orders/${order.id}`, { token: adaToken });
  await call('its payment', 200, 'GET', `/api/payments?orderId=${order.id}`, { token: adaToken });
  await call('stock after the order', 200, 'GET', `/api/inventory/stock/${grinder.id}`);
  await call('check out an empty cart', 422, 'POST', '/api/orders', {
    token: adaToken,
    json: success,
    headers: { 'idempotency-key': 'journey-ada-empty' },
  });

  // --- Another shopper: authorization and a declined card --------------------
  const bob = { email: 'bob@example.com', name: 'Bob' };
  await call('register Bob', 201, 'POST', '/api/users/register', {
    json: { ...bob, password: PASSWORD },
  });
  const bobToken: string = (
    await call('Bob logs in', 200, 'POST', '/api/users/login', {
      json: { email: bob.email, password: PASSWORD },
    })
  ).body.accessToken;
  await call("Bob reads Ada's order", 404, 'GET', `/api/orders/${order.id}`, { token: bobToken });
  await call("Bob reads Ada's payment", 404, 'GET', `/api/payments?orderId=${order.id}`, {
    token: bobToken,
  });
  await call("Bob cancels Ada's order", 404, 'POST', `/api/orders/${order.id}/cancel`, {
    token: bobToken,
  });
  await call('Bob fills his cart', 200, 'POST', '/api/cart/items', {
    token: bobToken,
    json: { productId: third.id, quantity: 3 },
  });
  const declined = (
    await call('Bob pays with a declined card', 201, 'POST', '/api/orders', {
      token: bobToken,
      json: paying(TEST_CARDS.declined),
      headers: { 'idempotency-key': 'journey-bob-1' },
    })
  ).body;
  expect(declined.status).toBe('failed');
  await call('his cart is kept', 200, 'GET', '/api/cart', { token: bobToken });
  await call('stock is back after the decline', 200, 'GET', `/api/inventory/stock/${third.id}`);
  await call('Bob lists his orders', 200, 'GET', '/api/orders', { token: bobToken });

  // --- Notifications (delivered by events) ----------------------------------
  await until('Ada is notified', '/api/notifications', adaToken, (list) => {
    return hasKinds(list.items, ['welcome', 'order-confirmed']);
  });
  await until('Bob is notified', '/api/notifications', bobToken, (list) => {
    return hasKinds(list.items, ['welcome', 'order-failed']);
  });

  // --- Cancelling -----------------------------------------------------------
  await call('Ada cancels', 200, 'POST', `/api/orders/${order.id}/cancel`, { token: adaToken });
  await call('Ada cancels again (a no-op)', 200, 'POST', `/api/orders/${order.id}/cancel`, {
    token: adaToken,
  });
  await until('the payment is refunded', `/api/payments?orderId=${order.id}`, adaToken, (list) => {
    return list.items.every((p: { status: string }) => p.status === 'refunded');
  });
  await until(
    'stock is back after the cancel',
    `/api/inventory/stock/${grinder.id}`,
    undefined,
    (s) => {
      return s.reserved === 0;
    },
  );
  await until('Ada hears of the cancel', '/api/notifications', adaToken, (list) => {
    return hasKinds(list.items, ['welcome', 'order-confirmed', 'order-cancelled']);
  });
  await call('Ada lists her orders', 200, 'GET', '/api/orders', { token: adaToken });

  // --- Administration -------------------------------------------------------
  const adminToken: string = (
    await call('the admin logs in', 200, 'POST', '/api/users/login', { json: ADMIN })
  ).body.accessToken;
  const newProduct = {
    sku: 'JOURNEY-001',
    name: 'Journey Mug',
    description: 'Made by the end-to-end suite.',
    price: { amount: 1500, currency: 'EUR' },
    category: 'kitchen',
  };
  await call('a shopper may not add products', 403, 'POST', '/api/catalog/products', {
    token: adaToken,
    json: newProduct,
  });
  const created = (
    await call('the admin adds a product', 201, 'POST', '/api/catalog/products', {
      token: adminToken,
      json: newProduct,
    })
  ).body;
  await call('the same SKU again', 409, 'POST', '/api/catalog/products', {
    token: adminToken,
    json: newProduct,
  });
  await call('a product with unknown fields', 400, 'POST', '/api/catalog/products', {
    token: adminToken,
    json: { ...newProduct, sku: 'JOURNEY-002', colour: 'blue' },
  });
  await call('the admin sets its stock', 200, 'PUT', `/api/inventory/stock/${created.id}`, {
    token: adminToken,
    json: { available: 7 },
  });
  await call('the admin renames it', 200, 'PATCH', `/api/catalog/products/${created.id}`, {
    token: adminToken,
    json: { name: 'Journey Mug, large' },
  });
  await call('the new product', 200, 'GET', `/api/catalog/products/${created.id}`);

  // --- Off the map ----------------------------------------------------------
  await call('an unknown route', 404, 'GET', '/api/nowhere');
  await call('an unknown module route', 404, 'GET', '/api/catalog/nowhere');
  await call('a wrong method', 405, 'DELETE', '/api/orders');
  return transcript;
}

function hasKinds(items: { kind: string }[], kinds: string[]): boolean {
  const seen = items.map((n) => n.kind).sort();
  return JSON.stringify(seen) === JSON.stringify([...kinds].sort());
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/**
 * normaliser returns a function that replaces what differs between two runs of the
 * same journey: each distinct uuid becomes `<id N>` in order of first appearance
 * (so "the same id in the same places" is still compared), timestamps `<time>`,
 * tokens `<token>`, request ids `<request id>`. Lists of notifications are sorted
 * by kind: their order is the order of event delivery, which no client relies on.
 */
function normaliser(): (value: unknown) => Json {
  const ids = new Map<string, string>();
  const id = (uuid: string) => {
    const key = uuid.toLowerCase();
    if (!ids.has(key)) ids.set(key, `<id ${ids.size + 1}>`);
    return ids.get(key)!;
  };
  const walk = (value: unknown, key?: string): unknown => {
    if (typeof value === 'string') {
      if (key === 'requestId') return '<request id>';
      if (TIMESTAMP.test(value)) return '<time>';
      if (JWT.test(value) && value.length > 40) return '<token>';
      return value.replace(UUID, id);
    }
    if (Array.isArray(value)) {
      const items = [...value];
      if (items.every((item) => item && typeof item === 'object' && 'kind' in item)) {
        // Sorted before ids are numbered, so numbering does not follow delivery order.
        items.sort((a, b) => String(a.kind).localeCompare(String(b.kind)));
      }
      return items.map((item) => walk(item));
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)] as const));
    }
    return value;
  };
  return walk;
}
