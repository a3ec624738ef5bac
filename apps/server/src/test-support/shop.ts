// A shopper's view of the HTTP API, for the cross-module tests: the same calls
// whether the server runs in-process (`app.request`) or as a child process (fetch).
import { randomUUID } from 'node:crypto';
import type { Cart } from '@seam/cart-contract';
import type { CreateProduct, Product, ProductPage } from '@seam/catalog-contract';
import type { Stock } from '@seam/inventory-contract';
import type { Notification } from '@seam/notifications-contract';
import type { Order } from '@seam/orders-contract';
import { TEST_CARDS, type Payment } from '@seam/payments-contract';
import type { Problem } from '@seam/platform';
import { expect } from 'vitest';
import { eventually, readJson } from '@seam/platform/testing';

export type Requester = (path: string, init?: RequestInit) => Promise<Response>;

export interface Shopper {
  id: string;
  email: string;
  password: string;
  token: string;
}

export const ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};

/** paying is a checkout body paying with `card`. */
export const paying = (card: string) => ({ paymentMethod: { card }, shippingAddress: ADDRESS });
export const SUCCESS = paying(TEST_CARDS.success);

/** json reads a JSON answer, failing the test unless it has `status`. */
export const json = <T>(res: Response, status: number): Promise<T> => readJson<T>(res, status);

/** problem reads an RFC 9457 answer with the expected status and code. */
export async function problem(res: Response, status: number, code: string): Promise<Problem> {
  const body = await json<Problem>(res, status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(body).toMatchObject({ status, code, type: `urn:seam:problem:${code}` });
  return body;
}

/**
 * shop wraps a requester with the calls a shopper makes.
 *
 * @example
 * const api = shop((path, init) => t.request(path, init));
 * const ada = await api.signUp('Ada');
 */
export function shop(request: Requester) {
  const send = (
    method: string,
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<Response> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    return request(path, { method, headers, ...(body === undefined ? {} : { body }) });
  };

  const api = {
    send,
    async signUp(name: string): Promise<Shopper> {
      const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
      const password = 'correct horse battery staple';
      const user = await json<{ id: string }>(
        await send('POST', '/api/users/register', { body: { email, password, name } }),
        201,
      );
      return { id: user.id, email, password, token: await api.logIn(email, password) };
    },
    async logIn(email: string, password: string): Promise<string> {
      const { accessToken } = await json<{ accessToken: string }>(
        await send('POST', '/api/users/login', { body: { email, password } }),
        200,
      );
      return accessToken;
    },
    /** createProduct adds a product priced `price` to the catalog, as the admin of `adminToken`. */
    async createProduct(adminToken: string, price: CreateProduct['price']): Promise<Product> {
      const body: CreateProduct = {
        sku: `TEST-${randomUUID().slice(0, 8).toUpperCase()}`,
        name: `Test product in ${price.currency}`,
        price,
        category: 'testing',
      };
      return json<Product>(
        await send('POST', '/api/catalog/products', { body, token: adminToken }),
        201,
      );
    },
    /** products returns up to `count` demo products in one currency (a cart holds one). */
    async products(count: number, currency = 'EUR'): Promise<Product[]> {
      const page = await json<ProductPage>(
        await send('GET', '/api/catalog/products?limit=100'),
        200,
      );
      return page.items.filter((p) => p.price.currency === currency).slice(0, count);
    },
    /** waitForStock waits until inventory's background demo seed covered these products. */
    async waitForStock(products: Product[]): Promise<void> {
      await eventually(async () => {
        for (const product of products) {
          expect((await api.stockOf(product.id)).available).toBeGreaterThan(5);
        }
      });
    },
    async stockOf(productId: string): Promise<Stock> {
      return json<Stock>(await send('GET', `/api/inventory/stock/${productId}`), 200);
    },
    async cartOf(shopper: Shopper): Promise<Cart> {
      return json<Cart>(await send('GET', '/api/cart', { token: shopper.token }), 200);
    },
    async addToCart(shopper: Shopper, product: Product, quantity: number): Promise<Cart> {
      return json<Cart>(
        await send('POST', '/api/cart/items', {
          body: { productId: product.id, quantity },
          token: shopper.token,
        }),
        200,
      );
    },
    checkout(shopper: Shopper, body: unknown = SUCCESS, key: string = randomUUID()) {
      return send('POST', '/api/orders', {
        body,
        token: shopper.token,
        headers: { 'idempotency-key': key },
      });
    },
    async order(shopper: Shopper, id: string): Promise<Order> {
      return json<Order>(await send('GET', `/api/orders/${id}`, { token: shopper.token }), 200);
    },
    async orders(shopper: Shopper): Promise<Order[]> {
      return (
        await json<{ items: Order[] }>(
          await send('GET', '/api/orders', { token: shopper.token }),
          200,
        )
      ).items;
    },
    payments(shopper: Shopper, orderId: string): Promise<Response> {
      return send('GET', `/api/payments?orderId=${orderId}`, { token: shopper.token });
    },
    async paymentsOf(shopper: Shopper, orderId: string): Promise<Payment[]> {
      return (await json<{ items: Payment[] }>(await api.payments(shopper, orderId), 200)).items;
    },
    async notificationsOf(shopper: Shopper): Promise<Notification[]> {
      return (
        await json<{ items: Notification[] }>(
          await send('GET', '/api/notifications', { token: shopper.token }),
          200,
        )
      ).items;
    },
  };
  return api;
}

export type Shop = ReturnType<typeof shop>;
