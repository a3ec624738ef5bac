// Wiring: binds the catalog's use cases to the contract's operations and
// routes; start seeds the demo catalog when SEAM_DEMO_DATA is on.
import type { catalogContract } from '@seam/catalog-contract';
import type { ModuleContext, ModuleImplementation, PlatformConfig } from '@seam/platform';
import { seedDemoCatalog } from './demo-catalog.js';
import { getProduct, getProductRoute, getProducts } from './get-product.js';
import { listProducts, listProductsRoute } from './list-products.js';
import { manageProductsRoutes } from './manage-products.js';

/** setupCatalog implements catalogContract; the host calls it once per process. */
export function setupCatalog({
  db,
  config,
  log,
}: ModuleContext<PlatformConfig>): ModuleImplementation<typeof catalogContract> {
  return {
    operations: {
      listProducts: (query) => listProducts(db, query),
      getProduct: ({ id }) => getProduct(db, id),
      getProducts: async ({ ids }) => ({ items: await getProducts(db, ids) }),
    },
    routes(app) {
      listProductsRoute(app, db);
      getProductRoute(app, db);
      manageProductsRoutes(app, db);
    },
    async start() {
      if (config.SEAM_DEMO_DATA) await seedDemoCatalog(db, log);
    },
  };
}
