// The catalog module: products and prices. This file only wires the use cases;
// each lives in its own file beside it.
import { fileURLToPath } from 'node:url';
import { catalogContract } from '@seam/catalog-contract';
import { defineModule } from '@seam/platform';
import { seedDemoCatalog } from './demo-catalog.js';
import { getProduct, getProductRoute, getProducts } from './get-product.js';
import { listProducts, listProductsRoute } from './list-products.js';
import { manageProductsRoutes } from './manage-products.js';

/** The catalog module definition; hosts list it among their modules. */
export default defineModule({
  contract: catalogContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  setup: ({ db, config, log }) => ({
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
  }),
});
