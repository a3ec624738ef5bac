// The cart module: each shopper's cart, priced live from the catalog and
// emptied when an order is confirmed. See docs/modules/cart.md.
import { fileURLToPath } from 'node:url';
import { cartContract } from '@seam/cart-contract';
import { OrderConfirmed } from '@seam/orders-contract';
import { defineModule } from '@seam/platform';
import { setupCart } from './setup.js';

/** The cart module definition; hosts list it among their modules. */
export default defineModule({
  contract: cartContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  consumes: [OrderConfirmed],
  setup: setupCart,
});
