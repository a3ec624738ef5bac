// Pricing a cart: the stored lines (product ids and quantities) priced with the
// catalog's current products. The cart stores no names or prices, so every read
// shows what the catalog says now.
import type { Cart } from '@seam/cart-contract';
import { catalogContract, GET_PRODUCTS_MAX, type Product } from '@seam/catalog-contract';
import type { CallOptions, Clients } from '@seam/platform';

/** CartLine is what the cart stores of one line. */
export interface CartLine {
  productId: string;
  quantity: number;
}

/** ProductsById is the catalog's answer for the products of a cart. */
export type ProductsById = ReadonlyMap<string, Product>;

/** PricedCart is a cart as the API answers it, and whether lines were left out for overflow. */
export interface PricedCart {
  cart: Cart;
  /** overflowed is true when a line or the total is too large for a safe integer. */
  overflowed: boolean;
}

/**
 * fetchProducts asks the catalog for the products with `ids` (in chunks of
 * GET_PRODUCTS_MAX, in parallel). Products the catalog no longer has are absent
 * from the map. Catalog failures (503 unreachable, 504 deadline) propagate as
 * the AppError the client raised.
 *
 * @example
 * const products = await fetchProducts(clients, lines.map((line) => line.productId));
 */
export async function fetchProducts(
  clients: Clients,
  ids: readonly string[],
  options?: CallOptions,
): Promise<Map<string, Product>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const catalog = clients.of(catalogContract);
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += GET_PRODUCTS_MAX) {
    chunks.push(unique.slice(start, start + GET_PRODUCTS_MAX));
  }
  const pages = await Promise.all(
    chunks.map((chunk) => catalog.getProducts({ ids: chunk }, options)),
  );
  return new Map(pages.flatMap((page) => page.items).map((product) => [product.id, product]));
}

/**
 * cartCurrency is the currency of the cart: that of its oldest line the catalog
 * still has, or undefined when there is none. `lines` must be oldest first.
 */
export function cartCurrency(
  lines: readonly CartLine[],
  products: ProductsById,
): string | undefined {
  for (const line of lines) {
    const product = products.get(line.productId);
    if (product) return product.price.currency;
  }
  return undefined;
}

/**
 * priceLines prices `lines` (oldest first) with `products`. Left out are lines
 * whose product the catalog no longer has, lines priced in another currency
 * than the cart's (only possible after the catalog changed a product's
 * currency), and lines whose total would not be a safe integer (`overflowed`).
 * Amounts are integers throughout; `total` is null for an empty cart.
 */
export function priceLines(lines: readonly CartLine[], products: ProductsById): PricedCart {
  const currency = cartCurrency(lines, products);
  const items: Cart['items'] = [];
  let total = 0n;
  let overflowed = false;
  for (const line of lines) {
    const product = products.get(line.productId);
    if (!product || product.price.currency !== currency) continue;
    const lineTotal = BigInt(product.price.amount) * BigInt(line.quantity);
    if (total + lineTotal > BigInt(Number.MAX_SAFE_INTEGER)) {
      overflowed = true;
      continue;
    }
    total += lineTotal;
    items.push({
      productId: product.id,
      name: product.name,
      quantity: line.quantity,
      unitPrice: product.price,
      lineTotal: { amount: Number(lineTotal), currency: product.price.currency },
    });
  }
  return {
    cart: {
      items,
      total: items.length > 0 && currency ? { amount: Number(total), currency } : null,
    },
    overflowed,
  };
}
