// The orders module: checkout (an idempotent saga over cart, catalog, inventory
// and payments), the shopper's orders, cancellation and crash recovery.
// See docs/modules/orders.md.
import { fileURLToPath } from 'node:url';
import { ordersContract } from '@seam/orders-contract';
import { defineModule } from '@seam/platform';
import { ordersConfig } from './config.js';
import { setupOrders } from './setup.js';

/** The orders module definition; hosts list it in their modules. */
export default defineModule({
  contract: ordersContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  config: ordersConfig,
  setup: (context) => setupOrders(context),
});
