// Reading a cart: GET / and the getCart operation orders calls at checkout.
import { cartContract, type Cart } from '@seam/cart-contract';
import type { CallOptions, ModuleApp } from '@seam/platform';
import { callerId } from './caller.js';
import { readLines, type CartDeps } from './cart-lines.js';
import { fetchProducts, priceLines } from './price-cart.js';

/**
 * getCart returns the cart of `userId` priced with the catalog's current
 * products; lines whose product is gone are left out (and kept in storage).
 */
export async function getCart(
  deps: CartDeps,
  userId: string,
  options?: CallOptions,
): Promise<Cart> {
  const lines = await readLines(deps.db, userId);
  const products = await fetchProducts(
    deps.clients,
    lines.map((line) => line.productId),
    options,
  );
  return priceLines(lines, products).cart;
}

/** getCartRoute registers GET / (→ /api/cart). */
export function getCartRoute(app: ModuleApp, deps: CartDeps): void {
  app.openapi(cartContract.routes.getCart, async (c) => {
    const cart = await getCart(deps, callerId(c.get('user')), { requestId: c.get('requestId') });
    return c.json(cart, 200);
  });
}
