// Mapping between catalog.products rows and the contract's Product, and the
// database error the catalog turns into a 409.
import type { Product } from '@seam/catalog-contract';
import type { ProductRow } from './schema.js';

/** toProduct renders a row as the JSON-shaped Product of the contract. */
export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price: { amount: row.priceAmount, currency: row.priceCurrency },
    category: row.category,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/**
 * isUniqueViolation reports whether a query failed on a unique constraint
 * (SQLSTATE 23505). Drivers differ and drizzle wraps their errors, so the
 * whole cause chain is searched.
 */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if ((current as { code?: unknown }).code === '23505') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
