// A fake catalog for other modules' tests (import from '@seam/catalog-contract/testing'):
// products in a map the test arranges, a switch that makes it unreachable, a hook
// that runs first in each call, and a count of calls per operation. Host it as a
// module (`fake.module`) or call it directly (`fake.client`).
import { randomUUID } from 'node:crypto';
import { AppError, type Money } from '@seam/platform';
import { fakeClient, fakeModule, fakeOperations, type ContractFake } from '@seam/platform/testing';
import { catalogContract, LIST_LIMIT, type CatalogContract, type Product } from './index.js';

let sequence = 0;

/** testProduct is a valid product with a fresh id and sku; `overrides` win. */
export function testProduct(overrides: Partial<Product> = {}): Product {
  sequence += 1;
  const now = new Date(0).toISOString();
  return {
    id: randomUUID(),
    sku: `FAKE-${sequence}`,
    name: `Fake product ${sequence}`,
    description: '',
    price: { amount: 1000, currency: 'EUR' },
    category: 'testing',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/**
 * FakeCatalog is the state and switches of one fake catalog. listProducts pages
 * through `products` in insertion order; its cursor is the offset of the next page.
 */
export interface FakeCatalog extends ContractFake<CatalogContract> {
  readonly products: Map<string, Product>;
  /** add puts a product (testProduct() when omitted) in the catalog and returns it. */
  add(product?: Product): Product;
  /** price adds a product with that price (and name). */
  price(price: Money, name?: string): Product;
  /** reprice changes a product's price, as an admin would in the catalog. */
  reprice(product: Product, amount: number, currency?: string): void;
}

/**
 * fakeCatalog makes an empty fake catalog.
 *
 * @example
 * const catalog = fakeCatalog();
 * const t = await startTestHost({ modules: [cartModule, catalog.module] });
 * const grinder = catalog.price({ amount: 24900, currency: 'EUR' }, 'Grinder');
 */
export function fakeCatalog(): FakeCatalog {
  const { operations, calls } = fakeOperations(catalogContract, () => fake, {
    async listProducts({ limit = LIST_LIMIT.default, cursor }) {
      const start = cursor ? Number(cursor) : 0;
      const next = start + limit;
      const products = [...fake.products.values()];
      return {
        items: products.slice(start, next),
        nextCursor: next < products.length ? String(next) : null,
      };
    },
    async getProduct({ id }) {
      const product = fake.products.get(id);
      if (!product) throw AppError.notFound(`Product ${id} does not exist`, 'product-not-found');
      return product;
    },
    async getProducts({ ids }) {
      return { items: [...new Set(ids)].flatMap((id) => fake.products.get(id) ?? []) };
    },
  });
  const fake: FakeCatalog = {
    products: new Map(),
    unavailable: false,
    calls,
    add(product = testProduct()) {
      fake.products.set(product.id, product);
      return product;
    },
    price: (price, name) => fake.add(testProduct(name ? { price, name } : { price })),
    reprice(product, amount, currency = product.price.currency) {
      fake.products.set(product.id, { ...product, price: { amount, currency } });
    },
    module: fakeModule(catalogContract, { operations, routes() {} }),
    client: fakeClient<CatalogContract>(operations),
  };
  return fake;
}
