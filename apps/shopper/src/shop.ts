// The calls a shopper (and, for stock and products, an admin) makes: sign up, log
// in, pick products, fill a cart, check out with an Idempotency-Key, and read
// orders, payments and notifications back. They are sent by the generated client
// (@seam/client), so a call the API does not document fails to compile; what
// they return is typed by the modules' contracts.
import { randomUUID } from 'node:crypto';
import { bearer, type Schemas } from '@seam/client';
import type { Cart } from '@seam/cart-contract';
import type { CreateProduct, Product, ProductPage } from '@seam/catalog-contract';
import type { Stock } from '@seam/inventory-contract';
import type { Notification } from '@seam/notifications-contract';
import type { Order } from '@seam/orders-contract';
import { TEST_CARDS, type Payment } from '@seam/payments-contract';
import type { TokenResponse, User } from '@seam/users-contract';
import { readAnswer, seamClient, send, UnexpectedStatusError } from './send.js';
import type { Requester, SendOptions } from './send.js';

/** Shopper is a registered, logged-in customer. */
export interface Shopper {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** PASSWORD is every signed-up shopper's password. */
export const PASSWORD = 'correct horse battery staple';

export const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};

/** paying is a checkout body paying with `card` and shipping to ADDRESS. */
export const paying = (card: string) => ({ paymentMethod: { card }, shippingAddress: ADDRESS });
/** SUCCESS is a checkout body with a card that is always charged. */
export const SUCCESS = paying(TEST_CARDS.success);

export type Shop = ReturnType<typeof shop>;

/**
 * shop wraps a requester with the calls a shopper makes. Calls that return a
 * body throw unless the answer has the status the API promises; `send`,
 * `checkout` and `payments` return the Response, whatever its status.
 *
 * @example
 * const api = shop((path, init) => t.request(path, init)); // or shop(fetchRequester(url))
 * const ada = await api.signUp('Ada');
 * await api.addToCart(ada, (await api.products(1))[0]!, 2);
 * const order = await api.placeOrder(ada);
 */
export function shop(request: Requester) {
  const client = seamClient(request);
  /** checkoutBody is sent as given: tests check out with invalid bodies too. */
  const checkoutRequest = (shopper: Shopper, body: unknown, key: string) => ({
    params: { header: { 'idempotency-key': key } },
    body: body as Schemas['CheckoutRequest'],
    headers: bearer(shopper.token),
  });

  const api = {
    /** client is the generated client, sending through the same requester. */
    client,

    send: (method: string, path: string, options?: SendOptions): Promise<Response> =>
      send(request, method, path, options),

    /** expect sends a request and reads its JSON answer, which must have `status`. */
    async expect<T>(
      status: number,
      method: string,
      path: string,
      options?: SendOptions,
    ): Promise<T> {
      return readAnswer<T>(await api.send(method, path, options), status, `${method} ${path}`);
    },

    /** signUp registers a shopper with a unique email and logs them in. */
    async signUp(name = 'Shopper'): Promise<Shopper> {
      const email = `${name.toLowerCase()}-${randomUUID()}@example.com`;
      const password = PASSWORD;
      const user: User = await answer(
        client.POST('/api/users/register', { body: { email, password, name } }),
        201,
        'POST /api/users/register',
      );
      return { id: user.id, email, password, token: await api.logIn(email, password) };
    },

    /** logIn returns an access token. */
    async logIn(email: string, password: string): Promise<string> {
      const login: TokenResponse = await answer(
        client.POST('/api/users/login', { body: { email, password } }),
        200,
        'POST /api/users/login',
      );
      return login.accessToken;
    },

    /** products returns up to `count` products in one currency (a cart holds one). */
    async products(count: number, currency = 'EUR'): Promise<Product[]> {
      const page: ProductPage = await answer(
        client.GET('/api/catalog/products', { params: { query: { limit: 100 } } }),
        200,
        'GET /api/catalog/products?limit=100',
      );
      return page.items.filter((p) => p.price.currency === currency).slice(0, count);
    },

    /** createProduct adds a product priced `price` to the catalog, as the admin of `adminToken`. */
    createProduct(adminToken: string, price: CreateProduct['price']): Promise<Product> {
      const body: CreateProduct = {
        sku: `TEST-${randomUUID().slice(0, 8).toUpperCase()}`,
        name: `Test product in ${price.currency}`,
        price,
        category: 'testing',
      };
      return answer(
        client.POST('/api/catalog/products', { body, headers: bearer(adminToken) }),
        201,
        'POST /api/catalog/products',
      );
    },

    stockOf(productId: string): Promise<Stock> {
      return answer(
        client.GET('/api/inventory/stock/{productId}', { params: { path: { productId } } }),
        200,
        `GET /api/inventory/stock/${productId}`,
      );
    },

    /** setStock sets a product's available stock, as the admin of `adminToken`. */
    setStock(adminToken: string, productId: string, available: number): Promise<Stock> {
      return answer(
        client.PUT('/api/inventory/stock/{productId}', {
          params: { path: { productId } },
          body: { available },
          headers: bearer(adminToken),
        }),
        200,
        `PUT /api/inventory/stock/${productId}`,
      );
    },

    cartOf(shopper: Shopper): Promise<Cart> {
      return answer(
        client.GET('/api/cart', { headers: bearer(shopper.token) }),
        200,
        'GET /api/cart',
      );
    },

    addToCart(shopper: Shopper, product: Pick<Product, 'id'>, quantity: number): Promise<Cart> {
      return answer(
        client.POST('/api/cart/items', {
          body: { productId: product.id, quantity },
          headers: bearer(shopper.token),
        }),
        200,
        'POST /api/cart/items',
      );
    },

    /** checkout sends a checkout of the shopper's cart and returns the answer, whatever it is. */
    checkout(shopper: Shopper, body: unknown = SUCCESS, key = randomUUID()): Promise<Response> {
      return unread(
        client.POST('/api/orders', { ...checkoutRequest(shopper, body, key), parseAs: 'text' }),
      );
    },

    /** placeOrder checks out the shopper's cart and returns the order (201: confirmed or failed). */
    placeOrder(shopper: Shopper, body: unknown = SUCCESS, key = randomUUID()): Promise<Order> {
      return answer(
        client.POST('/api/orders', checkoutRequest(shopper, body, key)),
        201,
        'POST /api/orders',
      );
    },

    order(shopper: Shopper, id: string): Promise<Order> {
      return answer(
        client.GET('/api/orders/{id}', {
          params: { path: { id } },
          headers: bearer(shopper.token),
        }),
        200,
        `GET /api/orders/${id}`,
      );
    },

    async orders(shopper: Shopper): Promise<Order[]> {
      const page: { items: Order[] } = await answer(
        client.GET('/api/orders', { headers: bearer(shopper.token) }),
        200,
        'GET /api/orders',
      );
      return page.items;
    },

    /** payments asks for an order's payments and returns the answer (404 for someone else's). */
    payments(shopper: Shopper, orderId: string): Promise<Response> {
      return unread(
        client.GET('/api/payments', {
          params: { query: { orderId } },
          headers: bearer(shopper.token),
          parseAs: 'text',
        }),
      );
    },

    async paymentsOf(shopper: Shopper, orderId: string): Promise<Payment[]> {
      const page: { items: Payment[] } = await answer(
        client.GET('/api/payments', {
          params: { query: { orderId } },
          headers: bearer(shopper.token),
        }),
        200,
        `GET /api/payments?orderId=${orderId}`,
      );
      return page.items;
    },

    /** notificationsOf reads every notification of the shopper, newest first, page by page. */
    async notificationsOf(shopper: Shopper): Promise<Notification[]> {
      const items: Notification[] = [];
      let cursor: string | undefined;
      // Bounded: 100 pages of 100 are more than any test or benchmark records for one shopper.
      for (let pages = 0; pages < 100; pages++) {
        const page: { items: Notification[]; nextCursor: string | null } = await answer(
          client.GET('/api/notifications', {
            params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } },
            headers: bearer(shopper.token),
          }),
          200,
          'GET /api/notifications',
        );
        items.push(...page.items);
        if (!page.nextCursor) return items;
        cursor = page.nextCursor;
      }
      throw new Error(`GET /api/notifications: more than 100 pages for ${shopper.email}`);
    },
  };
  return api;
}

/** Answer is what a call of the generated client resolves to. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * answer returns the data of a generated client's answer, which must have the
 * status `expected` and be JSON; `request` (method and path) names it in errors.
 */
async function answer<T>(
  pending: Promise<Answer<T>>,
  expected: number,
  request: string,
): Promise<T> {
  const { data, error, response } = await pending;
  if (response.status !== expected) {
    const body = typeof error === 'string' ? error : JSON.stringify(error ?? data ?? '');
    throw new UnexpectedStatusError(request, response.status, expected, body);
  }
  const type = response.headers.get('content-type') ?? '';
  if (data !== undefined && !/^application\/json/.test(type)) {
    throw new Error(`${request} → ${response.status} answered ${type || 'no content type'}`);
  }
  return data as T;
}

/**
 * unread turns a generated client's answer back into a Response with the same
 * status, headers and body, for the calls that return the answer as `send` does.
 * The call reads a success as text (`parseAs: 'text'`), so its body is kept as
 * sent; a problem is re-serialised from the JSON the client parsed.
 */
async function unread(pending: Promise<Answer<unknown>>): Promise<Response> {
  const { data, error, response } = await pending;
  const body = response.ok ? data : error;
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}
