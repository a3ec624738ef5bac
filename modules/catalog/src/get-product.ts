// Reading products by id: the GET /products/{id} route and the getProduct and
// getProducts operations other modules call (orders prices a cart with them).
import { catalogContract, type Product } from '@seam/catalog-contract';
import { AppError, preparedQuery, type Database, type ModuleApp } from '@seam/platform';
import { eq, inArray, sql } from 'drizzle-orm';
import { toProduct } from './product-row.js';
import { products } from './schema.js';

const productById = preparedQuery((db) =>
  db
    .select()
    .from(products)
    .where(eq(products.id, sql.placeholder('id')))
    .limit(1)
    .prepare('catalog_product_by_id'),
);

/** getProduct returns one product; an unknown id is a 404 AppError. */
export async function getProduct(db: Database, id: string): Promise<Product> {
  const [row] = await productById(db).execute({ id });
  if (!row) throw AppError.notFound(`Product ${id} does not exist`, 'product-not-found');
  return toProduct(row);
}

/**
 * getProducts returns the products with the given ids in the order asked for,
 * each once; ids that match no product are left out.
 */
export async function getProducts(db: Database, ids: readonly string[]): Promise<Product[]> {
  const unique = [...new Set(ids)];
  const rows = await db.select().from(products).where(inArray(products.id, unique));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return unique.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toProduct(row)] : [];
  });
}

/** getProductRoute registers GET /products/{id}. */
export function getProductRoute(app: ModuleApp, db: Database): void {
  app.openapi(catalogContract.routes.getProduct, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await getProduct(db, id), 200);
  });
}
