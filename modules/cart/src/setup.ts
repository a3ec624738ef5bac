// Wiring: binds the cart's use cases to the contract's operation, routes and
// the event it consumes.
import type { cartContract } from '@seam/cart-contract';
import { catalogContract } from '@seam/catalog-contract';
import type { ModuleContext, ModuleImplementation, PlatformConfig } from '@seam/platform';
import { addItemRoute } from './add-item.js';
import { clearCartOnOrderConfirmed } from './clear-cart.js';
import { getCart, getCartRoute } from './get-cart.js';
import { removeItemRoute } from './remove-item.js';
import { updateItemRoute } from './update-item.js';

/** setupCart implements cartContract; the host calls it once per process. */
export function setupCart({
  db,
  clients,
}: ModuleContext<PlatformConfig>): ModuleImplementation<typeof cartContract> {
  const deps = { db, catalog: clients.of(catalogContract) };
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
}
