// Helpers shared by the catalog's tests: a host running only the catalog, with
// admin and customer tokens, and small request and assertion shortcuts.
import { randomUUID } from 'node:crypto';
import type { CreateProduct, Product, ProductPage } from '@seam/catalog-contract';
import {
  jsonRequest,
  readJson,
  startTestHostWithTokens,
  type TestHostOptions,
  type TestHostWithTokens,
} from '@seam/platform/testing';
import { expect } from 'vitest';
import catalogModule from './index.js';
import { products } from './schema.js';

export interface CatalogTestHost extends TestHostWithTokens {
  /** call sends a JSON request (body and token optional) to /api/catalog + path. */
  call(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  /** create posts a product as admin and returns it, failing the test on any other answer. */
  create(overrides?: Partial<CreateProduct>): Promise<Product>;
  /** countProducts counts the rows of catalog.products directly. */
  countProducts(): Promise<number>;
}

/** startCatalog starts a host with only the catalog module on a fresh database. */
export async function startCatalog(
  options: Partial<Omit<TestHostOptions, 'modules' | 'jwks'>> = {},
): Promise<CatalogTestHost> {
  const t = await startTestHostWithTokens({ ...options, modules: [catalogModule] });
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    t.request(`/api/catalog${path}`, jsonRequest(method, body, token));
  return {
    ...t,
    call,
    async create(overrides = {}) {
      const res = await call('POST', '/products', newProduct(overrides), t.adminToken);
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(201);
      return body as Product;
    },
    countProducts: () => t.host.database.db.$count(products),
  };
}

let sequence = 0;

/** newProduct is a valid create body with a unique sku. */
export function newProduct(overrides: Partial<CreateProduct> = {}): CreateProduct {
  sequence += 1;
  return {
    sku: `TEST-${sequence}-${randomUUID().slice(0, 8).toUpperCase()}`,
    name: `Test product ${sequence}`,
    description: 'A product made by a test',
    price: { amount: 1000 + sequence, currency: 'EUR' },
    category: 'testing',
    ...overrides,
  };
}

/** readPage reads a 200 product page. */
export function readPage(res: Response): Promise<ProductPage> {
  return readJson<ProductPage>(res);
}

export { expectProblem, fieldPaths } from '@seam/platform/testing';
