// Browsing the catalog: GET /products with text search, a category filter and
// keyset pagination over (created_at, id), oldest first.
import { catalogContract, type ListProductsQuery, type ProductPage } from '@seam/catalog-contract';
import {
  type Database,
  type ModuleApp,
  beyondCursor,
  keysetPage,
  preparedQuery,
} from '@seam/platform';
import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { toProduct } from './product-row.js';
import { products } from './schema.js';

/**
 * listProducts returns one page of products matching `query`. The page after
 * it starts strictly after its last product, so concurrent inserts never make
 * a product appear twice, and a product created later shows on a later page.
 */
export async function listProducts(db: Database, query: ListProductsQuery): Promise<ProductPage> {
  const conditions: (SQL | undefined)[] = [];
  if (query.category) conditions.push(eq(products.category, query.category));
  if (query.q) {
    const pattern = `%${escapeLike(query.q)}%`;
    conditions.push(
      or(
        ilike(products.name, pattern),
        ilike(products.description, pattern),
        ilike(products.sku, pattern),
      ),
    );
  }
  if (query.cursor) {
    conditions.push(beyondCursor(products.createdAt, products.id, query.cursor, 'asc'));
  }
  const rows =
    conditions.length === 0
      ? await firstPage(db).execute({ limit: query.limit + 1 })
      : await db
          .select()
          .from(products)
          .where(and(...conditions))
          .orderBy(asc(products.createdAt), asc(products.id))
          .limit(query.limit + 1);
  const page = keysetPage(rows, query.limit);
  return { items: page.rows.map(toProduct), nextCursor: page.nextCursor };
}

/** firstPage is the unfiltered first page, the most common browse, prepared once. */
const firstPage = preparedQuery((db) =>
  db
    .select()
    .from(products)
    .orderBy(asc(products.createdAt), asc(products.id))
    .limit(sql.placeholder('limit'))
    .prepare('catalog_first_page'),
);

/** listProductsRoute registers GET /products. */
export function listProductsRoute(app: ModuleApp, db: Database): void {
  app.openapi(catalogContract.routes.listProducts, async (c) => {
    return c.json(await listProducts(db, c.req.valid('query')), 200);
  });
}

/** escapeLike makes `%`, `_` and `\` match themselves in a LIKE pattern (escape `\`). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}
