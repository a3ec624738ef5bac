// Stock levels: the GET and PUT /stock/{productId} routes, the getStock
// operation, and shiftStock, which every reservation transition uses to move
// units between `available` and `reserved`.
import { inventoryContract, type Stock } from '@seam/inventory-contract';
import type { Database, ModuleApp } from '@seam/platform';
import { eq, inArray, sql } from 'drizzle-orm';
import { stock } from './schema.js';

/**
 * getStock returns the stock of each product in the order asked for, one entry
 * per id (a repeated id is answered twice). A product without a stock row has
 * 0 available and 0 reserved.
 */
export async function getStock(db: Database, productIds: readonly string[]): Promise<Stock[]> {
  const ids = productIds.map((id) => id.toLowerCase());
  const rows = await db
    .select()
    .from(stock)
    .where(inArray(stock.productId, [...new Set(ids)]));
  const byId = new Map(rows.map((row) => [row.productId, row]));
  return ids.map((productId) => {
    const row = byId.get(productId);
    return { productId, available: row?.available ?? 0, reserved: row?.reserved ?? 0 };
  });
}

/** setStock sets the units available to reserve, creating the stock row if needed. */
export async function setStock(db: Database, productId: string, available: number): Promise<Stock> {
  const [row] = await db
    .insert(stock)
    .values({ productId: productId.toLowerCase(), available, reserved: 0 })
    .onConflictDoUpdate({ target: stock.productId, set: { available, updatedAt: sql`now()` } })
    .returning();
  return { productId: row!.productId, available: row!.available, reserved: row!.reserved };
}

/** StockShift moves units of one product: positive adds, negative takes. */
export interface StockShift {
  productId: string;
  available: number;
  reserved: number;
}

/**
 * shiftStock applies `shifts` inside the caller's transaction, locking stock
 * rows in product id order — the order every transaction here uses, so two
 * of them never wait on each other in a cycle.
 */
export async function shiftStock(tx: Database, shifts: readonly StockShift[]): Promise<void> {
  for (const shift of [...shifts].sort(byProductId)) {
    const updated = await tx
      .update(stock)
      .set({
        available: sql`${stock.available} + ${shift.available}::integer`,
        reserved: sql`${stock.reserved} + ${shift.reserved}::integer`,
        updatedAt: sql`now()`,
      })
      .where(eq(stock.productId, shift.productId))
      .returning({ productId: stock.productId });
    // Reserved units always have a row: rows are never deleted.
    if (updated.length === 0) throw new Error(`inventory.stock has no row for ${shift.productId}`);
  }
}

/** byProductId orders anything with a (lowercase) productId: the lock order. */
export function byProductId(a: { productId: string }, b: { productId: string }): number {
  return a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0;
}

/** stockRoutes registers GET and PUT /stock/{productId}. */
export function stockRoutes(app: ModuleApp, db: Database): void {
  const { getStock: get, setStock: set } = inventoryContract.routes;

  app.openapi(get, async (c) => {
    const [found] = await getStock(db, [c.req.valid('param').productId]);
    return c.json(found!, 200);
  });

  app.openapi(set, async (c) => {
    const { productId } = c.req.valid('param');
    return c.json(await setStock(db, productId, c.req.valid('json').available), 200);
  });
}
