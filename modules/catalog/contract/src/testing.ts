// A fake catalog for other modules' tests (import from '@seam/catalog-contract/testing'):
// products in a map the test arranges, a switch that makes it unreachable, a hook
// that runs inside each call, and a count of getProducts calls. Host it as a
// module (`fake.module`) or call it directly (`fake.client`).
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type ModuleClient,
  type ModuleDefinition,
  type Money,
  type OperationHandlers,
} from '@seam/platform';
import { fakeClient, fakeModule } from '@seam/platform/testing';
import { catalogContract, type CatalogContract, type Product } from './index.js';

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

/** FakeCatalog is the state and switches of one fake catalog. */
export interface FakeCatalog {
  readonly products: Map<string, Product>;
  /** unavailable makes every call fail as an unreachable module (503). */
  unavailable: boolean;
  /** calls counts getProducts calls. */
  calls: number;
  /** before runs inside every call, first, with the operation's name (to fail or delay it). */
  before?: (operation: keyof CatalogContract['operations']) => Promise<void>;
  /** add puts a product (testProduct() when omitted) in the catalog and returns it. */
  add(product?: Product): Product;
  /** price adds a product with that price (and name). */
  price(price: Money, name?: string): Product;
  /** reprice changes a product's price, as an admin would in the catalog. */
  reprice(product: Product, amount: number, currency?: string): void;
  /** module hosts the fake as the catalog module. */
  readonly module: ModuleDefinition<CatalogContract>;
  /** client calls the fake directly. */
  readonly client: ModuleClient<CatalogContract>;
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
  const enter = async (operation: keyof CatalogContract['operations']) => {
    await fake.before?.(operation);
    if (fake.unavailable) {
      throw AppError.unavailable('The fake catalog is down', 'module-unreachable');
    }
  };
  const operations: OperationHandlers<CatalogContract> = {
    async listProducts() {
      await enter('listProducts');
      return { items: [...fake.products.values()], nextCursor: null };
    },
    async getProduct({ id }) {
      await enter('getProduct');
      const product = fake.products.get(id);
      if (!product) throw AppError.notFound(`Product ${id} does not exist`, 'product-not-found');
      return product;
    },
    async getProducts({ ids }) {
      fake.calls += 1;
      await enter('getProducts');
      return { items: [...new Set(ids)].flatMap((id) => fake.products.get(id) ?? []) };
    },
  };
  const fake: FakeCatalog = {
    products: new Map(),
    unavailable: false,
    calls: 0,
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
