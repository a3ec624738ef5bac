// DELETE /items/{productId}: remove a line from the cart.
import { cartContract, type Cart } from '@seam/cart-contract';
import type { CallOptions, ModuleApp } from '@seam/platform';
import { and, eq } from 'drizzle-orm';
import { callerId } from './caller.js';
import { changeCart, type CartDeps } from './cart-lines.js';
import { cartItems } from './schema.js';
import { itemNotFound } from './update-item.js';

/** removeItem deletes the line of `productId`; a product not in the cart is 404 `cart.item-not-found`. */
export function removeItem(
  deps: CartDeps,
  userId: string,
  productId: string,
  options?: CallOptions,
): Promise<Cart> {
  return changeCart(
    deps,
    userId,
    {
      rejectsOverflow: false,
      async apply(tx) {
        const removed = await tx
          .delete(cartItems)
          .where(and(eq(cartItems.userId, userId), eq(cartItems.productId, productId)))
          .returning({ productId: cartItems.productId });
        if (removed.length === 0) throw itemNotFound(productId);
      },
    },
    options,
  );
}

/** removeItemRoute registers DELETE /items/{productId}. */
export function removeItemRoute(app: ModuleApp, deps: CartDeps): void {
  app.openapi(cartContract.routes.removeItem, async (c) => {
    const cart = await removeItem(deps, callerId(c.get('user')), c.req.valid('param').productId, {
      requestId: c.get('requestId'),
    });
    return c.json(cart, 200);
  });
}
