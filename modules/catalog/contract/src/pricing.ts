// Pricing lines of products: the one rule the cart shows and orders charges by.
// The catalog owns prices, so the rule lives here, behind its contract; callers
// fetch the products with `fetchProducts` and price them with `priceLines`.
import type { CallOptions, Money, ModuleClient } from '@seam/platform';
import type { CatalogContract, Product } from './index.js';

/** GET_PRODUCTS_MAX is the most ids one getProducts call may ask for. */
export const GET_PRODUCTS_MAX = 100;

/** Line is what a caller prices: a product and how many of it. */
export interface Line {
  productId: string;
  quantity: number;
}

/** PricedLine is a line the catalog can price, as a cart and an order show it. */
export interface PricedLine {
  productId: string;
  name: string;
  quantity: number;
  unitPrice: Money;
  lineTotal: Money;
}

/**
 * LEFT_OUT_REASONS say why a line is not in the total: its product is gone from
 * the catalog, it is priced in another currency than the lines', or adding it
 * would make the total larger than a safe integer.
 */
export const LEFT_OUT_REASONS = ['unavailable', 'other-currency', 'overflow'] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];

/** LeftOutLine is a line `priceLines` did not price, where it was, and why. */
export interface LeftOutLine extends Line {
  /** index is the line's position in the lines priced. */
  index: number;
  reason: LeftOutReason;
}

/** Pricing is the answer of `priceLines`. */
export interface Pricing {
  /** currency is that of the oldest line the catalog has; undefined when it has none. */
  currency: string | undefined;
  /** items are the priced lines, in the order given. */
  items: PricedLine[];
  /** total is the sum of `items`; null when no line could be priced. */
  total: Money | null;
  /** leftOut are the lines not in `items`, in the order given. */
  leftOut: LeftOutLine[];
}

/** ProductsById is the catalog's answer for the products of some lines. */
export type ProductsById = ReadonlyMap<string, Product>;

/**
 * priceLines prices `lines` (oldest first) with `products`. The currency is that
 * of the oldest line whose product exists; lines in another currency are left
 * out, as are lines whose product is gone and lines that would push the total
 * past Number.MAX_SAFE_INTEGER. Amounts are integer minor units, summed exactly.
 *
 * @example
 * const { items, total, leftOut } = priceLines(cart.lines, await fetchProducts(catalog, ids));
 */
export function priceLines(lines: readonly Line[], products: ProductsById): Pricing {
  const currency = lines
    .map((line) => products.get(line.productId)?.price.currency)
    .find((found) => found !== undefined);
  const items: PricedLine[] = [];
  const leftOut: LeftOutLine[] = [];
  let total = 0n;
  lines.forEach((line, index) => {
    const product = products.get(line.productId);
    const reason = !product
      ? 'unavailable'
      : product.price.currency !== currency
        ? 'other-currency'
        : undefined;
    const lineTotal = product ? BigInt(product.price.amount) * BigInt(line.quantity) : 0n;
    if (reason || total + lineTotal > MAX_TOTAL) {
      leftOut.push({ ...toLine(line), index, reason: reason ?? 'overflow' });
      return;
    }
    total += lineTotal;
    items.push({
      productId: line.productId,
      name: product!.name,
      quantity: line.quantity,
      unitPrice: product!.price,
      lineTotal: { amount: Number(lineTotal), currency: currency! },
    });
  });
  return {
    currency,
    items,
    total: items.length > 0 ? { amount: Number(total), currency: currency! } : null,
    leftOut,
  };
}

const MAX_TOTAL = BigInt(Number.MAX_SAFE_INTEGER);

function toLine({ productId, quantity }: Line): Line {
  return { productId, quantity };
}

/**
 * fetchProducts asks the catalog for the products with `ids`, in chunks of
 * GET_PRODUCTS_MAX sent in parallel. Products the catalog does not have are
 * absent from the map; the catalog's failures (503, 504) propagate.
 *
 * @example
 * const products = await fetchProducts(clients.of(catalogContract), ids, { requestId });
 */
export async function fetchProducts(
  catalog: ModuleClient<CatalogContract>,
  ids: readonly string[],
  options?: CallOptions,
): Promise<Map<string, Product>> {
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += GET_PRODUCTS_MAX) {
    chunks.push(unique.slice(start, start + GET_PRODUCTS_MAX));
  }
  const pages = await Promise.all(
    chunks.map((chunk) => catalog.getProducts({ ids: chunk }, options)),
  );
  return new Map(pages.flatMap((page) => page.items).map((product) => [product.id, product]));
}
