// The catalog contract: products and their prices. Other modules read products
// through the `getProduct` and `getProducts` operations and price lines of them
// with `priceLines` (pricing.ts); shoppers and admins use the HTTP routes under
// /api/catalog.
import {
  BEARER_SECURITY,
  CURSOR_EXAMPLE,
  CursorQuerySchema,
  createRoute,
  defineContract,
  defineOperation,
  jsonBody,
  jsonContent,
  MoneySchema,
  problemResponses,
  PUBLIC_SECURITY,
  requireAuth,
  z,
  type Money,
} from '@seam/platform';
import { GET_PRODUCTS_MAX } from './pricing.js';

export * from './pricing.js';

/** PRODUCT_EXAMPLE is the demo catalog's espresso grinder, as the API returns it. */
const PRODUCT_EXAMPLE = {
  id: '8e9f27c6-dd9e-50b3-9b0e-03b140b75431',
  sku: 'COF-GRN-001',
  name: 'Conical Burr Espresso Grinder',
  description: 'Stepless grind adjustment with 54 mm steel burrs; from Turkish to French press.',
  price: { amount: 24900, currency: 'EUR' },
  category: 'coffee',
  createdAt: '2025-01-06T09:00:00.000Z',
  updatedAt: '2025-01-06T09:00:00.000Z',
};

/** SKU_PATTERN: uppercase letters and digits, then also `.`, `_` and `-`. */
const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._-]*$/;
/** CATEGORY_PATTERN: a lowercase slug such as `home-office`. */
const CATEGORY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const SkuSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(SKU_PATTERN, 'must be uppercase letters, digits, ".", "_" or "-"')
  .openapi({ description: 'Stock keeping unit, unique in the catalog', example: 'COF-GRN-001' });

const NameSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .openapi({ example: 'Conical Burr Espresso Grinder' });

const DescriptionSchema = z
  .string()
  .trim()
  .max(5000)
  .openapi({ example: 'Stepless grind adjustment with 54 mm steel burrs.' });

const CategorySchema = z
  .string()
  .min(1)
  .max(50)
  .regex(CATEGORY_PATTERN, 'must be a lowercase slug such as "home-office"')
  .openapi({ description: 'Lowercase slug of the product category', example: 'coffee' });

const ProductIdSchema = z.uuid().openapi({ example: PRODUCT_EXAMPLE.id });

/** MoneySchema lives in the platform so every contract prices the same way. */
export { MoneySchema, type Money };

/** ProductSchema is a product as every route and operation returns it. */
export const ProductSchema = z
  .object({
    id: ProductIdSchema,
    sku: SkuSchema,
    name: z.string().openapi({ example: PRODUCT_EXAMPLE.name }),
    description: z.string().openapi({ example: PRODUCT_EXAMPLE.description }),
    price: MoneySchema,
    category: CategorySchema,
    createdAt: z.iso.datetime().openapi({ example: PRODUCT_EXAMPLE.createdAt }),
    updatedAt: z.iso.datetime().openapi({ example: PRODUCT_EXAMPLE.updatedAt }),
  })
  .openapi('Product', { example: PRODUCT_EXAMPLE });

export type Product = z.output<typeof ProductSchema>;

/** ProductPageSchema is one page of a product listing. */
export const ProductPageSchema = z
  .object({
    items: z.array(ProductSchema),
    nextCursor: z.string().nullable().openapi({
      description: 'Pass as `cursor` to get the next page; null on the last page',
      example: CURSOR_EXAMPLE,
    }),
  })
  .openapi('ProductPage', { example: { items: [PRODUCT_EXAMPLE], nextCursor: null } });

export type ProductPage = z.output<typeof ProductPageSchema>;

const CREATE_EXAMPLE = {
  sku: 'COF-GRN-002',
  name: 'Hand Grinder with Ceramic Burrs',
  description: 'Fits in a travel kit; 30 clicks from espresso to cold brew.',
  price: { amount: 5990, currency: 'EUR' },
  category: 'coffee',
};

/** CreateProductSchema is the body of POST /products. Unknown fields are rejected. */
export const CreateProductSchema = z
  .strictObject({
    sku: SkuSchema,
    name: NameSchema,
    description: DescriptionSchema.default(''),
    price: MoneySchema,
    category: CategorySchema,
  })
  .openapi('CreateProduct', { example: CREATE_EXAMPLE });

export type CreateProduct = z.input<typeof CreateProductSchema>;

/** UpdateProductSchema is the body of PATCH /products/{id}: any non-empty subset of fields. */
export const UpdateProductSchema = z
  .strictObject({
    sku: SkuSchema.optional(),
    name: NameSchema.optional(),
    description: DescriptionSchema.optional(),
    price: MoneySchema.optional(),
    category: CategorySchema.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'Send at least one of sku, name, description, price, category',
  })
  .openapi('UpdateProduct', { example: { price: { amount: 22900, currency: 'EUR' } } });

export type UpdateProduct = z.input<typeof UpdateProductSchema>;

/** LIST_LIMIT bounds the page size of GET /products. */
export const LIST_LIMIT = { default: 20, max: 100 } as const;

/** ListProductsQuerySchema is the query string of GET /products. */
export const ListProductsQuerySchema = z
  .object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(LIST_LIMIT.max)
      .default(LIST_LIMIT.default)
      .openapi({
        param: { name: 'limit', in: 'query' },
        description: `Page size, 1 to ${LIST_LIMIT.max}`,
        example: 20,
      }),
    cursor: CursorQuerySchema,
    q: z
      .string()
      .trim()
      .max(100)
      .optional()
      .openapi({
        param: { name: 'q', in: 'query' },
        description:
          'Case-insensitive text search in name, description and sku; `%` and `_` match themselves',
        example: 'grinder',
      }),
    category: CategorySchema.optional().openapi({
      param: { name: 'category', in: 'query' },
      description: 'Only products of this category',
      example: 'coffee',
    }),
  })
  .openapi('ListProductsQuery');

export type ListProductsQuery = z.output<typeof ListProductsQuerySchema>;

const ProductParamsSchema = z.object({
  id: ProductIdSchema.openapi({
    param: { name: 'id', in: 'path' },
    description: 'The product id (a UUID)',
    example: PRODUCT_EXAMPLE.id,
  }),
});

const TAGS = ['catalog'];

const listProducts = createRoute({
  method: 'get',
  path: '/products',
  operationId: 'listProducts',
  security: PUBLIC_SECURITY,
  tags: TAGS,
  summary: 'List products',
  description:
    'Lists products oldest first, optionally filtered by a text search and a category. Pages are keyset-paginated: follow `nextCursor` until it is null to see every product exactly once.',
  request: { query: ListProductsQuerySchema },
  responses: {
    200: jsonContent(ProductPageSchema, 'One page of products'),
    ...problemResponses(400),
  },
});

const getProduct = createRoute({
  method: 'get',
  path: '/products/{id}',
  operationId: 'getProduct',
  security: PUBLIC_SECURITY,
  tags: TAGS,
  summary: 'Get a product',
  description: 'Returns one product by id.',
  request: { params: ProductParamsSchema },
  responses: {
    200: jsonContent(ProductSchema, 'The product'),
    ...problemResponses(400, 404),
  },
});

const createProduct = createRoute({
  method: 'post',
  path: '/products',
  operationId: 'createProduct',
  tags: TAGS,
  summary: 'Create a product',
  description: 'Adds a product to the catalog. Admins only. The sku must be unused.',
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: { body: jsonBody(CreateProductSchema, 'The new product') },
  responses: {
    201: {
      ...jsonContent(ProductSchema, 'The created product'),
      headers: z.object({
        Location: z.string().openapi({
          description: 'URL of the created product',
          example: `/api/catalog/products/${PRODUCT_EXAMPLE.id}`,
        }),
      }),
    },
    ...problemResponses(400, 401, 403, 409, 413, 415),
  },
});

const updateProduct = createRoute({
  method: 'patch',
  path: '/products/{id}',
  operationId: 'updateProduct',
  tags: TAGS,
  summary: 'Update a product',
  description:
    'Changes the fields sent and leaves the others as they are; `updatedAt` always moves forward. Admins only.',
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: {
    params: ProductParamsSchema,
    body: jsonBody(UpdateProductSchema, 'The fields to change (at least one)'),
  },
  responses: {
    200: jsonContent(ProductSchema, 'The updated product'),
    ...problemResponses(400, 401, 403, 404, 409, 413, 415),
  },
});

const deleteProduct = createRoute({
  method: 'delete',
  path: '/products/{id}',
  operationId: 'deleteProduct',
  tags: TAGS,
  summary: 'Delete a product',
  description:
    'Removes a product from the catalog. Admins only. Orders keep their own copy of what they priced.',
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: { params: ProductParamsSchema },
  responses: {
    204: { description: 'The product was deleted' },
    ...problemResponses(400, 401, 403, 404),
  },
});

/** GetProductInputSchema is the input of the getProduct operation. */
export const GetProductInputSchema = z.object({ id: z.uuid() });

/** GetProductsInputSchema is the input of the getProducts operation. */
export const GetProductsInputSchema = z.object({
  ids: z.array(z.uuid()).min(1).max(GET_PRODUCTS_MAX),
});

/** GetProductsOutputSchema is the output of the getProducts operation. */
export const GetProductsOutputSchema = z.object({ items: z.array(ProductSchema) });

/**
 * catalogContract is what other modules and hosts may use of the catalog.
 *
 * @example
 * const catalog = clients.of(catalogContract);
 * const { items } = await catalog.getProducts({ ids: cart.items.map((i) => i.productId) });
 */
export const catalogContract = defineContract({
  name: 'catalog',
  description: 'Products and their prices: browse, search and, for admins, manage the catalog.',
  operations: {
    listProducts: defineOperation({
      summary: 'Returns one page of products, as GET /products does (inventory pages through it)',
      input: ListProductsQuerySchema,
      output: ProductPageSchema,
      idempotent: true,
    }),
    getProduct: defineOperation({
      summary: 'Returns one product; an unknown id is a 404 AppError',
      input: GetProductInputSchema,
      output: ProductSchema,
      idempotent: true,
    }),
    getProducts: defineOperation({
      summary:
        'Returns the products with the given ids in request order (duplicates once); unknown ids are left out',
      input: GetProductsInputSchema,
      output: GetProductsOutputSchema,
      idempotent: true,
    }),
  },
  routes: { listProducts, getProduct, createProduct, updateProduct, deleteProduct },
});

export type CatalogContract = typeof catalogContract;
