// Pricing an order at checkout: the cart's lines priced by the catalog's rule
// (`priceLines`, the same rule the cart shows), never with the cart's prices.
// An order is charged only when that rule leaves no line out.
import type { Cart } from '@seam/cart-contract';
import {
  fetchProducts,
  priceLines,
  type Line,
  type Pricing,
  type ProductsById,
} from '@seam/catalog-contract';
import type { Order } from '@seam/orders-contract';
import { AppError, type CallOptions, type Money } from '@seam/platform';
import type { OrdersDeps } from './deps.js';

/** MAX_ORDER_LINES is the most distinct products one order may hold (inventory's limit). */
export const MAX_ORDER_LINES = 100;

/** Priced is a cart priced with the catalog's current, authoritative prices. */
export interface Priced {
  items: Order['items'];
  total: Money;
}

/**
 * priceOrder prices the lines of `cart` from the catalog. It refuses an empty
 * cart (422 `orders.empty-cart`), more than MAX_ORDER_LINES products (422
 * `orders.too-many-items`), and any line the pricing rule leaves out: a product
 * gone (409 `orders.product-unavailable`), another currency (409
 * `orders.mixed-currencies`), a total past a safe integer (422
 * `orders.total-too-large`) — the lines the cart shows under `leftOut`.
 *
 * @example
 * const { items, total } = await priceOrder(deps, await deps.cart.getCart({ userId }), options);
 */
export async function priceOrder(
  deps: Pick<OrdersDeps, 'catalog'>,
  cart: Cart,
  options: CallOptions,
): Promise<Priced> {
  const lines = cartLines(cart);
  if (lines.length === 0) {
    throw AppError.unprocessable(
      'Your cart is empty; add products before checking out',
      'orders.empty-cart',
    );
  }
  if (lines.length > MAX_ORDER_LINES) {
    throw AppError.unprocessable(
      `An order holds at most ${MAX_ORDER_LINES} different products; your cart has ${lines.length}`,
      'orders.too-many-items',
    );
  }
  const products = await fetchProducts(
    deps.catalog,
    lines.map((line) => line.productId),
    options,
  );
  const pricing = priceLines(lines, products);
  if (pricing.leftOut.length > 0) throw refusal(pricing, products);
  return { items: pricing.items, total: pricing.total! };
}

/**
 * cartLines are the lines of a cart in the order the cart priced them: its
 * items first (oldest first, so the first one sets the currency), then the
 * lines it left out.
 */
export function cartLines(cart: Cart): Line[] {
  return [...cart.items, ...(cart.leftOut ?? [])].map(({ productId, quantity }) => ({
    productId,
    quantity,
  }));
}

/** LEFT_OUT is how a refusal names each kind of left-out line. */
const LEFT_OUT = {
  unavailable: { code: 'product_unavailable', says: 'no longer exists' },
  'other-currency': { code: 'other_currency', says: "is not priced in the cart's currency" },
  overflow: { code: 'total_too_large', says: 'would make the total too large' },
} as const;

/**
 * refusal is the problem for the first kind of left-out line — gone, another
 * currency, overflow — with a field error naming every left-out line.
 */
function refusal(pricing: Pricing, products: ProductsById): AppError {
  const reasons = new Set(pricing.leftOut.map((line) => line.reason));
  const errors = pricing.leftOut.map((line) => ({
    path: `items.${line.index}.productId`,
    message: `Product ${line.productId} ${LEFT_OUT[line.reason].says}`,
    code: LEFT_OUT[line.reason].code,
  }));
  if (reasons.has('unavailable')) {
    const ids = pricing.leftOut
      .filter((line) => line.reason === 'unavailable')
      .map((line) => line.productId);
    return new AppError({
      status: 409,
      code: 'orders.product-unavailable',
      title: 'Product unavailable',
      detail: `${ids.length === 1 ? 'A product' : 'Some products'} in your cart no longer exist: ${ids.join(', ')}; remove them from the cart and check out again`,
      errors,
    });
  }
  if (reasons.has('other-currency')) {
    const currencies = new Set([
      pricing.currency,
      ...pricing.leftOut.map((line) => products.get(line.productId)?.price.currency),
    ]);
    return new AppError({
      status: 409,
      code: 'orders.mixed-currencies',
      detail: `Your cart mixes currencies (${[...currencies].filter(Boolean).join(', ')}); an order is paid in one currency`,
      errors,
    });
  }
  return new AppError({
    status: 422,
    code: 'orders.total-too-large',
    detail: `The order total would exceed ${Number.MAX_SAFE_INTEGER} minor units`,
    errors,
  });
}
