// POST /items: add a quantity of a product to the cart (creating its line).
import { cartContract, type Cart } from '@seam/cart-contract';
import { priceLines } from '@seam/catalog-contract';
import { AppError, type CallOptions, type ModuleApp } from '@seam/platform';
import { sql } from 'drizzle-orm';
import { callerId } from './caller.js';
import { changeCart, type CartDeps } from './cart-lines.js';
import { cartItems, MAX_QUANTITY } from './schema.js';

/**
 * addItem adds `quantity` to the line of `productId`. The product must be in
 * the catalog (404 `cart.product-not-found`), priced in the cart's currency
 * (409 `cart.currency-mismatch`), and the line may not exceed MAX_QUANTITY
 * (422 `cart.quantity-limit`). A rejected add changes nothing.
 */
export function addItem(
  deps: CartDeps,
  userId: string,
  input: { productId: string; quantity: number },
  options?: CallOptions,
): Promise<Cart> {
  const { productId, quantity } = input;
  return changeCart(
    deps,
    userId,
    {
      productId,
      rejectsOverflow: true,
      async apply(tx, lines, products) {
        const product = products.get(productId);
        if (!product) {
          throw AppError.notFound(
            `Product ${productId} is not in the catalog`,
            'cart.product-not-found',
          );
        }
        const { currency } = priceLines(lines, products);
        if (currency && currency !== product.price.currency) {
          throw AppError.conflict(
            `Your cart is priced in ${currency}; ${product.name} is priced in ${product.price.currency}`,
            'cart.currency-mismatch',
          );
        }
        const now = new Date();
        // The guard in the upsert, not the read above, decides the limit, so it holds
        // whatever else writes the line.
        const written = await tx
          .insert(cartItems)
          .values({ userId, productId, quantity, addedAt: now, updatedAt: now })
          .onConflictDoUpdate({
            target: [cartItems.userId, cartItems.productId],
            set: { quantity: sql`${cartItems.quantity} + excluded.quantity`, updatedAt: now },
            setWhere: sql`${cartItems.quantity} + excluded.quantity <= ${MAX_QUANTITY}`,
          })
          .returning({ quantity: cartItems.quantity });
        if (written.length === 0) {
          const held = lines.find((line) => line.productId === productId)?.quantity ?? 0;
          throw AppError.unprocessable(
            `A cart holds at most ${MAX_QUANTITY} of one product; you have ${held} and asked for ${quantity} more`,
            'cart.quantity-limit',
          );
        }
      },
    },
    options,
  );
}

/** addItemRoute registers POST /items. */
export function addItemRoute(app: ModuleApp, deps: CartDeps): void {
  app.openapi(cartContract.routes.addItem, async (c) => {
    const cart = await addItem(deps, callerId(c.get('user')), c.req.valid('json'), {
      requestId: c.get('requestId'),
    });
    return c.json(cart, 200);
  });
}
