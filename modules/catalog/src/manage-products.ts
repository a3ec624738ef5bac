// Managing the catalog (admins only): POST /products, PATCH and DELETE
// /products/{id}. Each change is one statement, so a rejected request changes
// nothing.
import {
  catalogContract,
  type CreateProductSchema,
  type Product,
  type UpdateProductSchema,
} from '@seam/catalog-contract';
import { AppError, type Database, type ModuleApp, type z } from '@seam/platform';
import { eq, sql } from 'drizzle-orm';
import { isUniqueViolation, toProduct } from './product-row.js';
import { products } from './schema.js';

type NewProduct = z.output<typeof CreateProductSchema>;
type ProductPatch = z.output<typeof UpdateProductSchema>;

/** createProduct adds a product; a taken sku is a 409 AppError. */
export async function createProduct(db: Database, input: NewProduct): Promise<Product> {
  const [row] = await db
    .insert(products)
    .values({
      sku: input.sku,
      name: input.name,
      description: input.description,
      priceAmount: input.price.amount,
      priceCurrency: input.price.currency,
      category: input.category,
    })
    .onConflictDoNothing({ target: products.sku })
    .returning();
  if (!row) throw skuTaken(input.sku);
  return toProduct(row);
}

/**
 * updateProduct changes the fields present in `patch`. `updatedAt` moves
 * forward by at least a millisecond, even for two updates within the same one.
 */
export async function updateProduct(
  db: Database,
  id: string,
  patch: ProductPatch,
): Promise<Product> {
  try {
    const [row] = await db
      .update(products)
      .set({
        sku: patch.sku,
        name: patch.name,
        description: patch.description,
        priceAmount: patch.price?.amount,
        priceCurrency: patch.price?.currency,
        category: patch.category,
        updatedAt: sql`greatest(clock_timestamp(), ${products.updatedAt} + interval '1 millisecond')`,
      })
      .where(eq(products.id, id))
      .returning();
    if (!row) throw productNotFound(id);
    return toProduct(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw skuTaken(patch.sku ?? '');
    throw error;
  }
}

/** deleteProduct removes a product; an unknown id is a 404 AppError. */
export async function deleteProduct(db: Database, id: string): Promise<void> {
  const deleted = await db
    .delete(products)
    .where(eq(products.id, id))
    .returning({ id: products.id });
  if (deleted.length === 0) throw productNotFound(id);
}

/** manageProductsRoutes registers POST /products and PATCH, DELETE /products/{id}. */
export function manageProductsRoutes(app: ModuleApp, db: Database): void {
  const {
    createProduct: create,
    updateProduct: update,
    deleteProduct: remove,
  } = catalogContract.routes;

  app.openapi(create, async (c) => {
    const product = await createProduct(db, c.req.valid('json'));
    return c.json(product, 201, {
      Location: `/api/${catalogContract.name}/products/${product.id}`,
    });
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid('param');
    return c.json(await updateProduct(db, id, c.req.valid('json')), 200);
  });

  app.openapi(remove, async (c) => {
    await deleteProduct(db, c.req.valid('param').id);
    return c.body(null, 204);
  });
}

function productNotFound(id: string): AppError {
  return AppError.notFound(`Product ${id} does not exist`, 'product-not-found');
}

function skuTaken(sku: string): AppError {
  return AppError.conflict(`A product with sku ${sku} already exists`, 'sku-taken');
}
