// PATCH /items/{productId}: set the quantity of a line already in the cart.
import { cartContract, type Cart } from '@seam/cart-contract';
import { AppError, type CallOptions, type ModuleApp } from '@seam/platform';
import { and, eq } from 'drizzle-orm';
import { callerId } from './caller.js';
import { changeCart, type CartDeps } from './cart-lines.js';
import { cartItems } from './schema.js';

/** updateItem sets the quantity of `productId`; a product not in the cart is 404 `cart.item-not-found`. */
export function updateItem(
  deps: CartDeps,
  userId: string,
  productId: string,
  quantity: number,
  options?: CallOptions,
): Promise<Cart> {
  return changeCart(
    deps,
    userId,
    {
      rejectsOverflow: true,
      async apply(tx) {
        const updated = await tx
          .update(cartItems)
          .set({ quantity, updatedAt: new Date() })
          .where(and(eq(cartItems.userId, userId), eq(cartItems.productId, productId)))
          .returning({ productId: cartItems.productId });
        if (updated.length === 0) throw itemNotFound(productId);
      },
    },
    options,
  );
}

/** updateItemRoute registers PATCH /items/{productId}. */
export function updateItemRoute(app: ModuleApp, deps: CartDeps): void {
  app.openapi(cartContract.routes.updateItem, async (c) => {
    const { productId } = c.req.valid('param');
    const { quantity } = c.req.valid('json');
    const cart = await updateItem(deps, callerId(c.get('user')), productId, quantity, {
      requestId: c.get('requestId'),
    });
    return c.json(cart, 200);
  });
}

/** itemNotFound is the 404 of a product that is not in the caller's cart. */
export function itemNotFound(productId: string): AppError {
  return AppError.notFound(`Product ${productId} is not in your cart`, 'cart.item-not-found');
}
