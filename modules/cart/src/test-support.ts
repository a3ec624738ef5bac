// Helpers shared by the cart's tests (not part of the module's surface): a host
// running the cart — alone, or with the catalog's fake
// (@seam/catalog-contract/testing) — real test tokens, and request shortcuts.
// The real catalog is exercised with the cart in apps/server/src/cart.test.ts.
import type { Cart } from '@seam/cart-contract';
import type { Product } from '@seam/catalog-contract';
import { fakeCatalog } from '@seam/catalog-contract/testing';
import type { EventEnvelope } from '@seam/platform';
import {
  jsonRequest,
  readJson,
  startTestHostWithTokens,
  type TestHostWithTokens,
  type TestUser,
} from '@seam/platform/testing';
import { expect } from 'vitest';
import cartModule from './index.js';
import { cartItems } from './schema.js';

export const SERVICE_TOKEN = 'cart-test-service-token-0123456789abcdef';

/** catalogStub is the fake catalog the cart's tests host; tests change it freely. */
export const catalogStub = fakeCatalog();

/** stubProduct puts a product in the fake catalog and returns it. */
export function stubProduct(amount: number, currency = 'EUR', name?: string): Product {
  return catalogStub.price({ amount, currency }, name);
}

/** reprice changes a fake product's price, as an admin would in the catalog. */
export function reprice(product: Product, amount: number, currency = product.price.currency) {
  catalogStub.reprice(product, amount, currency);
}

export type Shopper = TestUser;

export interface CartTestHost extends TestHostWithTokens {
  /** shopper signs a token for a fresh customer. */
  shopper(): Promise<Shopper>;
  /** call sends a JSON request to /api/cart + path. */
  call(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  /** add posts an item and returns the cart, failing the test on any other answer. */
  add(shopper: Shopper, productId: string, quantity: number): Promise<Cart>;
  /** lines reads a user's stored lines directly, oldest first. */
  lines(userId: string): Promise<{ productId: string; quantity: number }[]>;
  /** store inserts lines directly, bypassing the catalog. */
  store(userId: string, lines: { productId: string; quantity: number; at?: Date }[]): Promise<void>;
  /** deliver posts an event envelope to the cart's internal event endpoint. */
  deliver(envelope: EventEnvelope): Promise<Response>;
}

/**
 * startCart runs the cart on a fresh database; with `catalog: 'stub'` the stub
 * catalog is hosted too, with `catalog: 'none'` it is not reachable at all.
 */
export async function startCart(catalog: 'stub' | 'none'): Promise<CartTestHost> {
  const t = await startTestHostWithTokens({
    modules: catalog === 'stub' ? [cartModule, catalogStub.module] : [cartModule],
    env: { SEAM_SERVICE_TOKEN: SERVICE_TOKEN },
  });
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    t.request(`/api/cart${path}`, jsonRequest(method, body, token));
  const db = t.host.database.db;
  return {
    ...t,
    call,
    shopper: () => t.signUser(),
    async add(shopper, productId, quantity) {
      const res = await call('POST', '/items', { productId, quantity }, shopper.token);
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(200);
      return body as Cart;
    },
    async lines(userId) {
      const rows = await db.select().from(cartItems);
      return rows
        .filter((row) => row.userId === userId)
        .sort((a, b) => a.addedAt.getTime() - b.addedAt.getTime())
        .map(({ productId, quantity }) => ({ productId, quantity }));
    },
    async store(userId, lines) {
      const base = Date.now() - 60_000;
      await db.insert(cartItems).values(
        lines.map((line, index) => {
          const at = line.at ?? new Date(base + index);
          return {
            userId,
            productId: line.productId,
            quantity: line.quantity,
            addedAt: at,
            updatedAt: at,
          };
        }),
      );
    },
    deliver: (envelope) =>
      t.request('/internal/events/cart', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-seam-service-token': SERVICE_TOKEN },
        body: JSON.stringify(envelope),
      }),
  };
}

/** readCart reads a 200 cart answer. */
export function readCart(res: Response): Promise<Cart> {
  return readJson<Cart>(res);
}

export { expectProblem, fieldPaths } from '@seam/platform/testing';
