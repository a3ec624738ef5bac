// Helpers shared by the cart's tests (not part of the module's surface): a host
// running the cart — alone, or with a stub catalog implementing the catalog
// contract from an in-memory map — real test tokens, and request shortcuts.
// The real catalog is exercised with the cart in apps/server/src/cart.test.ts.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Cart } from '@seam/cart-contract';
import { catalogContract, type Product } from '@seam/catalog-contract';
import { AppError, defineModule, type EventEnvelope, type Problem } from '@seam/platform';
import {
  jsonRequest,
  startTestHostWithTokens,
  type TestHostWithTokens,
  type TestUser,
} from '@seam/platform/testing';
import { expect } from 'vitest';
import cartModule from './index.js';
import { cartItems } from './schema.js';

export const SERVICE_TOKEN = 'cart-test-service-token-0123456789abcdef';

/** catalogStub is what the stub catalog answers; tests change it freely. */
export const catalogStub = {
  products: new Map<string, Product>(),
  /** unavailable makes every operation fail like an unreachable catalog. */
  unavailable: false,
  /** calls counts getProducts calls. */
  calls: 0,
};

let sequence = 0;

/** stubProduct puts a product in the stub catalog and returns it. */
export function stubProduct(amount: number, currency = 'EUR', name?: string): Product {
  sequence += 1;
  const product: Product = {
    id: randomUUID(),
    sku: `STUB-${sequence}`,
    name: name ?? `Stub product ${sequence}`,
    description: '',
    price: { amount, currency },
    category: 'testing',
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  };
  catalogStub.products.set(product.id, product);
  return product;
}

/** reprice changes a stub product's price, as an admin would in the catalog. */
export function reprice(product: Product, amount: number, currency = product.price.currency) {
  catalogStub.products.set(product.id, { ...product, price: { amount, currency } });
}

function unavailable(): AppError {
  return AppError.unavailable('The stub catalog is down', 'module-unreachable');
}

/** catalogStubModule implements the catalog contract from catalogStub. */
export const catalogStubModule = defineModule({
  contract: catalogContract,
  migrationsFolder: fileURLToPath(new URL('../test/catalog-stub-migrations', import.meta.url)),
  setup: () => ({
    operations: {
      async listProducts() {
        if (catalogStub.unavailable) throw unavailable();
        return { items: [...catalogStub.products.values()], nextCursor: null };
      },
      async getProduct({ id }) {
        if (catalogStub.unavailable) throw unavailable();
        const product = catalogStub.products.get(id);
        if (!product) throw AppError.notFound(`Product ${id} does not exist`, 'product-not-found');
        return product;
      },
      async getProducts({ ids }) {
        catalogStub.calls += 1;
        if (catalogStub.unavailable) throw unavailable();
        return {
          items: [...new Set(ids)].flatMap((id) => {
            const product = catalogStub.products.get(id);
            return product ? [product] : [];
          }),
        };
      },
    },
    routes() {},
  }),
});

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
    modules: catalog === 'stub' ? [cartModule, catalogStubModule] : [cartModule],
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
export async function readCart(res: Response): Promise<Cart> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Cart;
}

export { expectProblem } from '@seam/platform/testing';

/** fieldPaths lists the field paths of a validation problem. */
export function fieldPaths(problem: Problem): string[] {
  return (problem.errors ?? []).map((error) => error.path);
}
