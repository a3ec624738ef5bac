// The stored lines of a cart and the one path every change takes: price the
// lines first (so an unreachable catalog rejects the request before anything
// is written), then change them in one transaction under a per-user lock, and
// answer the cart priced with the products read before the write. Pricing is
// the catalog's (`priceLines`), the one rule orders charges by too.
import type { Cart } from '@seam/cart-contract';
import {
  catalogContract,
  fetchProducts,
  priceLines,
  type Line,
  type Pricing,
  type ProductsById,
} from '@seam/catalog-contract';
import { AppError, type CallOptions, type Database, type ModuleClient } from '@seam/platform';
import { asc, eq, sql } from 'drizzle-orm';
import { cartItems } from './schema.js';

/** CartDeps is what the cart's use cases need from the module context. */
export interface CartDeps {
  db: Database;
  /** catalog prices the lines; setup asks for it, so the module graph records the call. */
  catalog: ModuleClient<typeof catalogContract>;
}

/** readLines returns a user's stored lines, oldest first (the order the cart shows). */
export function readLines(db: Database, userId: string): Promise<Line[]> {
  return db
    .select({ productId: cartItems.productId, quantity: cartItems.quantity })
    .from(cartItems)
    .where(eq(cartItems.userId, userId))
    .orderBy(asc(cartItems.addedAt), asc(cartItems.productId));
}

/** CartChange is one write to a cart. */
export interface CartChange {
  /** productId is priced together with the stored lines (the product being added). */
  productId?: string;
  /** apply writes the change in `tx`; throwing an AppError rejects it and writes nothing. */
  apply(tx: Database, lines: readonly Line[], products: ProductsById): Promise<void>;
  /** rejectsOverflow: a change that makes the cart too large to total is a 422. */
  rejectsOverflow: boolean;
}

/**
 * CHANGE_ATTEMPTS bounds how often a change is priced again because another
 * request of the same user added a product between pricing and locking.
 */
const CHANGE_ATTEMPTS = 10;

/**
 * changeCart applies `change` to the cart of `userId` and returns the new cart.
 * The transaction takes an advisory lock per user, so a user's changes run one
 * at a time and the currency check of an add sees every line. The catalog is
 * never called inside the transaction (in the monolith it shares the database).
 *
 * @example
 * const cart = await changeCart(deps, userId, { apply: (tx) => ..., rejectsOverflow: false });
 */
export async function changeCart(
  deps: CartDeps,
  userId: string,
  change: CartChange,
  options?: CallOptions,
): Promise<Cart> {
  for (let attempt = 1; attempt <= CHANGE_ATTEMPTS; attempt += 1) {
    const stored = await readLines(deps.db, userId);
    const priced = new Set(stored.map((line) => line.productId));
    if (change.productId) priced.add(change.productId);
    const products = await fetchProducts(deps.catalog, [...priced], options);
    const cart = await deps.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`cart:${userId}`}, 0))`);
      const lines = await readLines(tx, userId);
      if (lines.some((line) => !priced.has(line.productId))) return undefined;
      await change.apply(tx, lines, products);
      const after = priceLines(await readLines(tx, userId), products);
      if (change.rejectsOverflow && overflows(after) && !overflows(priceLines(lines, products))) {
        throw AppError.unprocessable(
          `The cart total would exceed ${Number.MAX_SAFE_INTEGER} minor units`,
          'cart.total-too-large',
        );
      }
      return toCart(after);
    });
    if (cart) return cart;
  }
  throw AppError.conflict(
    'Your cart kept changing while this request was handled; try again',
    'cart.concurrent-update',
  );
}

/**
 * toCart renders the catalog's pricing of a cart as the API answers it: the
 * lines it left out are listed (only when there are any), so the shopper sees
 * why they are not in the total and why checkout refuses them.
 */
export function toCart({ items, total, leftOut }: Pricing): Cart {
  if (leftOut.length === 0) return { items, total };
  return {
    items,
    total,
    leftOut: leftOut.map(({ productId, quantity, reason }) => ({ productId, quantity, reason })),
  };
}

function overflows(pricing: Pricing): boolean {
  return pricing.leftOut.some((line) => line.reason === 'overflow');
}
