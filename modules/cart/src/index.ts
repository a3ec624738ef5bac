// The cart module: each shopper's cart, priced live from the catalog and
// emptied when an order is confirmed. This file only wires the use cases; each
// lives in its own file beside it. See docs/modules/cart.md.
import { fileURLToPath } from 'node:url';
import { cartContract } from '@seam/cart-contract';
import { OrderConfirmed } from '@seam/orders-contract';
import { defineModule } from '@seam/platform';
import { addItemRoute } from './add-item.js';
import { clearCartOnOrderConfirmed } from './clear-cart.js';
import { getCart, getCartRoute } from './get-cart.js';
import { removeItemRoute } from './remove-item.js';
import { updateItemRoute } from './update-item.js';

/** The cart module definition; hosts list it among their modules. */
export default defineModule({
  contract: cartContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  consumes: [OrderConfirmed],
  setup: ({ db, clients }) => {
    const deps = { db, clients };
    return {
      operations: {
        getCart: ({ userId }, call) =>
          getCart(deps, userId, { requestId: call.requestId, deadline: call.deadline }),
      },
      handlers: [clearCartOnOrderConfirmed],
      routes(app) {
        getCartRoute(app, deps);
        addItemRoute(app, deps);
        updateItemRoute(app, deps);
        removeItemRoute(app, deps);
      },
    };
  },
});
