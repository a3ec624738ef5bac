// Reading a cart: GET / and the getCart operation orders calls at checkout.
import { cartContract, type Cart } from '@seam/cart-contract';
import { fetchProducts, priceLines } from '@seam/catalog-contract';
import type { CallOptions, ModuleApp } from '@seam/platform';
import { callerId } from './caller.js';
import { readLines, toCart, type CartDeps } from './cart-lines.js';

/**
 * getCart returns the cart of `userId` priced with the catalog's current
 * products; lines it cannot price are listed in `leftOut` (and kept in storage).
 */
export async function getCart(
  deps: CartDeps,
  userId: string,
  options?: CallOptions,
): Promise<Cart> {
  const lines = await readLines(deps.db, userId);
  const products = await fetchProducts(
    deps.catalog,
    lines.map((line) => line.productId),
    options,
  );
  return toCart(priceLines(lines, products));
}

/** getCartRoute registers GET / (→ /api/cart). */
export function getCartRoute(app: ModuleApp, deps: CartDeps): void {
  app.openapi(cartContract.routes.getCart, async (c) => {
    const cart = await getCart(deps, callerId(c.get('user')), { requestId: c.get('requestId') });
    return c.json(cart, 200);
  });
}
