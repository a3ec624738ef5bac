// The cart's exported surface, its OpenAPI document, authentication on every
// route, and the getCart operation through the typed client over both transports.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { cartContract, CartSchema } from '@seam/cart-contract';
import { OrderConfirmed } from '@seam/orders-contract';
import { AppError } from '@seam/platform';
import { documentedOperations } from '@seam/platform/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import cartModule from './index.js';
import {
  catalogStub,
  expectProblem,
  SERVICE_TOKEN,
  startCart,
  stubProduct,
  type CartTestHost,
} from './test-support.js';

let t: CartTestHost;

beforeAll(async () => {
  t = await startCart('stub');
});
afterAll(() => t?.close());
beforeEach(() => {
  catalogStub.unavailable = false;
});

describe('exported surface', () => {
  it('pins the contract name, operations, routes and consumed events', () => {
    expect(cartModule.contract).toBe(cartContract);
    expect(cartContract.name).toBe('cart');
    expect(
      Object.entries(cartContract.operations).map(([name, op]) => `${name} ${op.idempotent}`),
    ).toEqual(['getCart true']);
    expect(
      Object.entries(cartContract.routes).map(
        ([name, route]) => `${name} ${route.method.toUpperCase()} ${route.path}`,
      ),
    ).toEqual([
      'getCart GET /',
      'addItem POST /items',
      'updateItem PATCH /items/{productId}',
      'removeItem DELETE /items/{productId}',
    ]);
    expect(cartModule.consumes).toEqual([OrderConfirmed]);
    expect(cartContract.events ?? {}).toEqual({});
  });

  it('ships its migrations folder', async () => {
    expect(await readdir(cartModule.migrationsFolder)).toEqual(
      expect.arrayContaining(['0000_init.sql', 'meta']),
    );
  });
});

describe('OpenAPI document', () => {
  it('documents every route with summary, tags, bearer security and its error responses', () => {
    const expected: Record<string, string[]> = {
      'get /api/cart': ['200', '401', '503'],
      'post /api/cart/items': ['200', '400', '401', '404', '409', '413', '415', '422', '503'],
      'patch /api/cart/items/{productId}': [
        '200',
        '400',
        '401',
        '404',
        '409',
        '413',
        '415',
        '422',
        '503',
      ],
      'delete /api/cart/items/{productId}': ['200', '400', '401', '404', '409', '503'],
    };
    const operations = documentedOperations(t.host.document, 'cart');
    expect(operations.map((o) => o.key).sort()).toEqual(Object.keys(expected).sort());
    for (const { key, op } of operations) {
      expect(op.summary, key).toEqual(expect.any(String));
      expect(op.tags, key).toEqual(['cart']);
      expect(op.security, key).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op.responses).sort(), key).toEqual(expected[key]);
    }
  });

  it('registers the cart schemas as components', () => {
    const schemas = t.host.document.components?.schemas ?? {};
    for (const name of ['Cart', 'CartItem', 'AddCartItem', 'UpdateCartItem', 'Money']) {
      expect(schemas[name], name).toBeDefined();
    }
  });
});

describe('authentication', () => {
  const productId = randomUUID();
  const routes: [string, string, unknown][] = [
    ['GET', '', undefined],
    ['POST', '/items', { productId, quantity: 1 }],
    ['PATCH', `/items/${productId}`, { quantity: 1 }],
    ['DELETE', `/items/${productId}`, undefined],
  ];

  it.each(routes)(
    'answers 401 to %s /api/cart%s without a token, before reading the body',
    async (method, path) => {
      const res = await t.call(
        method,
        path,
        method === 'GET' || method === 'DELETE' ? undefined : {},
      );
      await expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    },
  );

  it.each(routes)(
    'answers 401 to %s /api/cart%s with a forged token',
    async (method, path, body) => {
      const res = await t.call(method, path, body, 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxIn0.c2ln');
      await expectProblem(res, 401, 'invalid-token');
    },
  );
});

describe('getCart operation', () => {
  const cart = () => t.host.clients.of(cartContract);

  it('returns the priced cart of the user it names', async () => {
    const shopper = await t.shopper();
    const kettle = stubProduct(6990);
    await t.add(shopper, kettle.id, 2);
    const answer = await cart().getCart({ userId: shopper.id });
    expect(CartSchema.parse(answer)).toEqual({
      items: [
        {
          productId: kettle.id,
          name: kettle.name,
          quantity: 2,
          unitPrice: { amount: 6990, currency: 'EUR' },
          lineTotal: { amount: 13980, currency: 'EUR' },
        },
      ],
      total: { amount: 13980, currency: 'EUR' },
    });
  });

  it('answers the same cart over the internal HTTP endpoint', async () => {
    const shopper = await t.shopper();
    await t.add(shopper, stubProduct(1250).id, 3);
    const res = await t.request('/internal/operations/cart/getCart', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-seam-service-token': SERVICE_TOKEN },
      body: JSON.stringify({ userId: shopper.id }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(await cart().getCart({ userId: shopper.id }));
  });

  it('returns an empty cart with a null total for a user without one', async () => {
    expect(await cart().getCart({ userId: randomUUID() })).toEqual({ items: [], total: null });
  });

  it('rejects a user id that is not a UUID with 400 field errors', async () => {
    const error = (await cart()
      .getCart({ userId: 'nope' })
      .catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.status).toBe(400);
    expect(error.errors?.map((e) => e.path)).toEqual(['userId']);
  });

  it('fails with 503 when the catalog is unavailable', async () => {
    const shopper = await t.shopper();
    await t.add(shopper, stubProduct(100).id, 1);
    catalogStub.unavailable = true;
    const error = (await cart()
      .getCart({ userId: shopper.id })
      .catch((e: unknown) => e)) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 503, code: 'module-unreachable' });
  });
});
