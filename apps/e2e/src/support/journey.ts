// The shopper's journey as one scripted conversation with the public API, recorded
// exchange by exchange: register, log in, browse, fill a cart, check out with an
// Idempotency-Key (and replay it), look at someone else's order, pay with a declined
// card, read notifications, cancel, manage the catalog as an admin, and send bad
// input. The same script runs against the monolith and every topology; what it
// records is normalised (ids, tokens, timestamps) so that two runs can be compared
// with one `toEqual`: same URLs, same statuses, same headers that matter, same bodies.
// Every request the API documents is sent by the generated client (@seam/client, through
// the shopper's seamClient), so the journey only compiles against the API as documented;
// the requests it refuses to send (malformed JSON, undocumented routes, a missing
// Idempotency-Key, an unknown field) go raw through the shopper's `send`.
import { bearer } from '@seam/client';
import { TEST_CARDS } from '@seam/payments-contract';
import { fetchRequester, PASSWORD, paying, seamClient, send } from '@seam/shopper';
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
  const request = fetchRequester(options.baseUrl, { timeoutMs: 30_000 });
  const seam = seamClient(request);
  /** sentAs names each answer of the generated client by its request (`GET /api/cart`). */
  const sentAs = new WeakMap<Response, string>();
  seam.use({
    onResponse({ request: sent, response }) {
      const url = new URL(sent.url);
      sentAs.set(response, `${sent.method} ${url.pathname}${url.search}`);
    },
  });

  interface Sent {
    request: string;
    status: number;
    body: Json;
    headers: Headers;
  }
  /** typed reads an answer of the generated client: `data` on a 2xx, the problem otherwise. */
  const typed = async (
    pending: Promise<{ data?: unknown; error?: unknown; response: Response }>,
  ): Promise<Sent> => {
    const { data, error, response } = await pending;
    return {
      request: sentAs.get(response)!,
      status: response.status,
      body: response.ok ? data : error,
      headers: response.headers,
    };
  };
  /**
   * raw sends what the generated client refuses to (`json` as JSON, `raw` as is, with the
   * content type given in `headers`) and reads the answer as the client would.
   */
  const raw = async (
    method: string,
    path: string,
    init: { token?: string; json?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Sent> => {
    const body = init.json !== undefined ? init.json : init.raw;
    const res = await send(request, method, path, {
      token: init.token,
      headers: init.headers,
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) {
      parsed = JSON.parse(text);
    }
    return { request: `${method} ${path}`, status: res.status, body: parsed, headers: res.headers };
  };
  /** call waits for one request, which must get the `expected` status; it is recorded. */
  const call = async (
    step: string,
    expected: number,
    sending: Promise<Sent>,
    record = true,
  ): Promise<Sent> => {
    const sent = await sending;
    const text = typeof sent.body === 'string' ? sent.body : JSON.stringify(sent.body);
    expect(sent.status, `${step}: ${sent.request} answered ${text?.slice(0, 500)}`).toBe(expected);
    if (record) {
      const kept: Record<string, string> = {};
      for (const name of COMPARED_HEADERS) {
        const value = sent.headers.get(name);
        if (value !== null) kept[name] = value;
      }
      transcript.push({
        step,
        request: normalise(sent.request),
        status: sent.status,
        headers: kept,
        body: normalise(sent.body),
      });
    }
    return sent;
  };

  /** until polls a GET until `done` holds, then records that last answer. */
  const until = async (
    step: string,
    get: () => Promise<Sent>,
    done: (body: Json) => boolean,
  ): Promise<Json> => {
    const deadline = Date.now() + pollTimeoutMs;
    for (;;) {
      const res = await call(step, 200, get(), false);
      if (done(res.body)) return (await call(step, 200, get())).body;
      if (Date.now() > deadline) {
        throw new Error(`${step}: ${res.request} still says ${JSON.stringify(res.body)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };
  const as = (token: string) => ({ headers: bearer(token) });
  const stockOf = (productId: string) =>
    typed(seam.GET('/api/inventory/stock/{productId}', { params: { path: { productId } } }));
  const cartOf = (token: string) => typed(seam.GET('/api/cart', as(token)));
  const paymentsOf = (orderId: string, token: string) =>
    typed(seam.GET('/api/payments', { params: { query: { orderId } }, ...as(token) }));
  const notificationsOf = (token: string) => typed(seam.GET('/api/notifications', as(token)));
  const checkout = (token: string, body: ReturnType<typeof paying>, key: string) =>
    typed(
      seam.POST('/api/orders', {
        params: { header: { 'idempotency-key': key } },
        body,
        ...as(token),
      }),
    );

  // --- Accounts -------------------------------------------------------------
  const ada = { email: 'ada@example.com', name: 'Ada' };
  const register = (body: { email: string; name: string; password: string }) =>
    typed(seam.POST('/api/users/register', { body }));
  const logIn = (body: { email: string; password: string }) =>
    typed(seam.POST('/api/users/login', { body }));
  await call('register Ada', 201, register({ ...ada, password: PASSWORD }));
  await call('register Ada twice', 409, register({ ...ada, password: PASSWORD }));
  await call(
    'register with bad fields',
    400,
    register({ email: 'not-an-email', password: 'short', name: '' }),
  );
  await call(
    'log in with a wrong password',
    401,
    logIn({ email: ada.email, password: 'wrong password, long enough' }),
  );
  const adaToken: string = (
    await call('log in', 200, logIn({ email: ada.email, password: PASSWORD }))
  ).body.accessToken;
  await call('who am I', 200, typed(seam.GET('/api/users/me', as(adaToken))));
  await call(
    'who am I with a forged token',
    401,
    typed(seam.GET('/api/users/me', as(`${adaToken.slice(0, -4)}AAAA`))),
  );

  // --- Browsing -------------------------------------------------------------
  const products = (query: { limit?: number; cursor?: string; q?: string }) =>
    typed(seam.GET('/api/catalog/products', { params: { query } }));
  const product = (id: string) =>
    typed(seam.GET('/api/catalog/products/{id}', { params: { path: { id } } }));
  const page = (await call('browse', 200, products({ limit: 5 }))).body;
  await call('browse the next page', 200, products({ limit: 5, cursor: page.nextCursor }));
  await call('search', 200, products({ q: 'grinder' }));
  await call('browse with a bad limit', 400, products({ limit: 0 }));
  // A malformed percent-encoding: the client would encode it, so it goes raw.
  await call('browse with a bad cursor', 400, raw('GET', '/api/catalog/products?cursor=%%%'));
  const all = (await call('browse everything', 200, products({ limit: 100 }))).body.items as {
    id: string;
    price: { currency: string };
  }[];
  const euros = all.filter((p) => p.price.currency === 'EUR');
  expect(euros.length, 'the demo catalog has three products in euros').toBeGreaterThanOrEqual(3);
  const [grinder, kettle, third] = euros as unknown as [
    { id: string },
    { id: string },
    { id: string },
  ];
  await call('one product', 200, product(grinder.id));
  await call('a product that does not exist', 404, product('00000000-0000-4000-8000-000000000000'));
  await call('a product id that is not a uuid', 400, product('nope'));
  for (const { id } of [grinder, kettle, third]) {
    await until(
      'stock is seeded',
      () => stockOf(id),
      (stock) => stock.available >= 10,
    );
  }

  // --- Cart -----------------------------------------------------------------
  const addItem = (token: string, body: { productId: string; quantity: number }) =>
    typed(seam.POST('/api/cart/items', { body, ...as(token) }));
  const updateItem = (token: string, productId: string, quantity: number) =>
    typed(
      seam.PATCH('/api/cart/items/{productId}', {
        params: { path: { productId } },
        body: { quantity },
        ...as(token),
      }),
    );
  await call('cart without a token', 401, typed(seam.GET('/api/cart')));
  await call('empty cart', 200, cartOf(adaToken));
  await call('add two grinders', 200, addItem(adaToken, { productId: grinder.id, quantity: 2 }));
  await call('add a kettle', 200, addItem(adaToken, { productId: kettle.id, quantity: 1 }));
  await call('add a zero quantity', 400, addItem(adaToken, { productId: kettle.id, quantity: 0 }));
  await call(
    'add a product that does not exist',
    404,
    addItem(adaToken, { productId: '00000000-0000-4000-8000-000000000000', quantity: 1 }),
  );
  await call('change a quantity', 200, updateItem(adaToken, kettle.id, 2));
  await call('change it back', 200, updateItem(adaToken, kettle.id, 1));

  // --- Checkout -------------------------------------------------------------
  // The first four are requests the client refuses to send: they go raw.
  const success = paying(TEST_CARDS.success);
  await call(
    'check out without an Idempotency-Key',
    400,
    raw('POST', '/api/orders', { token: adaToken, json: success }),
  );
  await call(
    'check out with malformed JSON',
    400,
    raw('POST', '/api/orders', {
      token: adaToken,
      raw: '{"paymentMethod":',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'journey-malformed' },
    }),
  );
  await call(
    'check out as text',
    415,
    raw('POST', '/api/orders', {
      token: adaToken,
      raw: 'card=4242',
      headers: { 'content-type': 'text/plain', 'idempotency-key': 'journey-text' },
    }),
  );
  await call(
    'check out with a bad card number',
    400,
    checkout(adaToken, paying('1234'), 'journey-bad-card'),
  );
  await call(
    'check out without a token',
    401,
    typed(
      seam.POST('/api/orders', {
        params: { header: { 'idempotency-key': 'journey-anonymous' } },
        body: success,
      }),
    ),
  );
  const key = 'journey-ada-1';
  const order = (await call('check out', 201, checkout(adaToken, success, key))).body;
  expect(order.status).toBe('confirmed');
  await call('replay the checkout', 201, checkout(adaToken, success, key));
  await call(
    'reuse the key with another body',
    422,
    checkout(adaToken, paying(TEST_CARDS.declined), key),
  );
  await until(
    'the cart empties after the order',
    () => cartOf(adaToken),
    (cart) => cart.items.length === 0,
  );
  const orderOf = (id: string, token: string) =>
    typed(seam.GET('/api/orders/{id}', { params: { path: { id } }, ...as(token) }));
  const cancel = (id: string, token: string) =>
    typed(seam.POST('/api/orders/{id}/cancel', { params: { path: { id } }, ...as(token) }));
  await call('the order', 200, orderOf(order.id, adaToken));
  await call('its payment', 200, paymentsOf(order.id, adaToken));
  await call('stock after the order', 200, stockOf(grinder.id));
  await call('check out an empty cart', 422, checkout(adaToken, success, 'journey-ada-empty'));

  // --- Another shopper: authorization and a declined card --------------------
  const bob = { email: 'bob@example.com', name: 'Bob' };
  await call('register Bob', 201, register({ ...bob, password: PASSWORD }));
  const bobToken: string = (
    await call('Bob logs in', 200, logIn({ email: bob.email, password: PASSWORD }))
  ).body.accessToken;
  await call("Bob reads Ada's order", 404, orderOf(order.id, bobToken));
  await call("Bob reads Ada's payment", 404, paymentsOf(order.id, bobToken));
  await call("Bob cancels Ada's order", 404, cancel(order.id, bobToken));
  await call('Bob fills his cart', 200, addItem(bobToken, { productId: third.id, quantity: 3 }));
  const declined = (
    await call(
      'Bob pays with a declined card',
      201,
      checkout(bobToken, paying(TEST_CARDS.declined), 'journey-bob-1'),
    )
  ).body;
  expect(declined.status).toBe('failed');
  await call('his cart is kept', 200, cartOf(bobToken));
  await call('stock is back after the decline', 200, stockOf(third.id));
  await call('Bob lists his orders', 200, typed(seam.GET('/api/orders', as(bobToken))));

  // --- Notifications (delivered by events) ----------------------------------
  await until(
    'Ada is notified',
    () => notificationsOf(adaToken),
    (list) => hasKinds(list.items, ['welcome', 'order-confirmed']),
  );
  await until(
    'Bob is notified',
    () => notificationsOf(bobToken),
    (list) => hasKinds(list.items, ['welcome', 'order-failed']),
  );

  // --- Cancelling -----------------------------------------------------------
  await call('Ada cancels', 200, cancel(order.id, adaToken));
  await call('Ada cancels again (a no-op)', 200, cancel(order.id, adaToken));
  await until(
    'the payment is refunded',
    () => paymentsOf(order.id, adaToken),
    (list) => list.items.every((p: { status: string }) => p.status === 'refunded'),
  );
  await until(
    'stock is back after the cancel',
    () => stockOf(grinder.id),
    (s) => s.reserved === 0,
  );
  await until(
    'Ada hears of the cancel',
    () => notificationsOf(adaToken),
    (list) => hasKinds(list.items, ['welcome', 'order-confirmed', 'order-cancelled']),
  );
  await call('Ada lists her orders', 200, typed(seam.GET('/api/orders', as(adaToken))));

  // --- Administration -------------------------------------------------------
  const adminToken: string = (await call('the admin logs in', 200, logIn(ADMIN))).body.accessToken;
  const newProduct = {
    sku: 'JOURNEY-001',
    name: 'Journey Mug',
    description: 'Made by the end-to-end suite.',
    price: { amount: 1500, currency: 'EUR' },
    category: 'kitchen',
  };
  const createProduct = (token: string) =>
    typed(seam.POST('/api/catalog/products', { body: newProduct, ...as(token) }));
  await call('a shopper may not add products', 403, createProduct(adaToken));
  const created = (await call('the admin adds a product', 201, createProduct(adminToken))).body;
  await call('the same SKU again', 409, createProduct(adminToken));
  // An unknown field, sent as a client outside TypeScript could: raw.
  await call(
    'a product with unknown fields',
    400,
    raw('POST', '/api/catalog/products', {
      token: adminToken,
      json: { ...newProduct, sku: 'JOURNEY-002', colour: 'blue' },
    }),
  );
  await call(
    'the admin sets its stock',
    200,
    typed(
      seam.PUT('/api/inventory/stock/{productId}', {
        params: { path: { productId: created.id } },
        body: { available: 7 },
        ...as(adminToken),
      }),
    ),
  );
  await call(
    'the admin renames it',
    200,
    typed(
      seam.PATCH('/api/catalog/products/{id}', {
        params: { path: { id: created.id } },
        body: { name: 'Journey Mug, large' },
        ...as(adminToken),
      }),
    ),
  );
  await call('the new product', 200, product(created.id));

  // --- Off the map (undocumented: raw) ---------------------------------------
  await call('an unknown route', 404, raw('GET', '/api/nowhere'));
  await call('an unknown module route', 404, raw('GET', '/api/catalog/nowhere'));
  await call('a wrong method', 405, raw('DELETE', '/api/orders'));
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
