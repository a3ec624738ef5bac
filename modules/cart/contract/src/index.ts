// The cart contract: each shopper's cart, priced live from the catalog.
import {
  BEARER_SECURITY,
  createRoute,
  defineContract,
  defineOperation,
  jsonBody,
  jsonContent,
  MoneySchema,
  problemResponses,
  requireAuth,
  z,
} from '@seam/platform';

const ProductIdSchema = z.uuid().openapi({ example: '8e9f27c6-dd9e-50b3-9b0e-03b140b75431' });
const QuantitySchema = z.number().int().min(1).max(99).openapi({ example: 2 });

export const CartItemSchema = z
  .object({
    productId: ProductIdSchema,
    name: z.string().openapi({ example: 'Conical Burr Espresso Grinder' }),
    quantity: QuantitySchema,
    unitPrice: MoneySchema,
    lineTotal: MoneySchema,
  })
  .openapi('CartItem');

/** CartLeftOutSchema is a stored line the cart cannot sell now, and why (see docs/modules/cart.md). */
export const CartLeftOutSchema = z
  .object({
    productId: ProductIdSchema,
    quantity: QuantitySchema,
    reason: z.enum(['unavailable', 'other-currency', 'overflow']).openapi({
      example: 'unavailable',
      description:
        '`unavailable`: the product is gone from the catalog; `other-currency`: the catalog now prices it in another currency than the cart; `overflow`: the total would exceed 2^53 - 1 minor units',
    }),
  })
  .openapi('CartLeftOut');

/**
 * CartSchema: `total` is null for an empty cart; a cart holds one currency.
 * `leftOut`, present only when not empty, lists stored lines that are not in
 * the total; checkout refuses while there are any.
 */
export const CartSchema = z
  .object({
    items: z.array(CartItemSchema),
    total: MoneySchema.nullable(),
    leftOut: z.array(CartLeftOutSchema).min(1).optional().openapi({
      description:
        'Lines in the cart that cannot be bought now (not in `total`); remove them to check out',
    }),
  })
  .openapi('Cart', {
    example: {
      items: [
        {
          productId: '8e9f27c6-dd9e-50b3-9b0e-03b140b75431',
          name: 'Conical Burr Espresso Grinder',
          quantity: 2,
          unitPrice: { amount: 24900, currency: 'EUR' },
          lineTotal: { amount: 49800, currency: 'EUR' },
        },
      ],
      total: { amount: 49800, currency: 'EUR' },
    },
  });
export type Cart = z.output<typeof CartSchema>;

export const AddCartItemSchema = z
  .object({ productId: ProductIdSchema, quantity: QuantitySchema })
  .strict()
  .openapi('AddCartItem');
export const UpdateCartItemSchema = z
  .object({ quantity: QuantitySchema })
  .strict()
  .openapi('UpdateCartItem');

const ProductIdParams = z.object({
  productId: ProductIdSchema.openapi({ param: { name: 'productId', in: 'path' } }),
});

const getCart = createRoute({
  method: 'get',
  path: '/',
  operationId: 'getCart',
  summary: 'Get my cart',
  description: 'Your cart with current catalog prices and totals.',
  tags: ['cart'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  responses: { 200: jsonContent(CartSchema, 'The cart'), ...problemResponses(401, 503) },
});

const addItem = createRoute({
  method: 'post',
  path: '/items',
  operationId: 'addCartItem',
  summary: 'Add a product to my cart',
  description:
    'Adds the quantity to the line of that product (creating it). Unknown product → 404; another currency than the cart → 409; more than 99 of one product → 422.',
  tags: ['cart'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(AddCartItemSchema, 'The product and quantity') },
  responses: {
    200: jsonContent(CartSchema, 'The cart'),
    ...problemResponses(400, 401, 404, 409, 413, 415, 422, 503),
  },
});

const updateItem = createRoute({
  method: 'patch',
  path: '/items/{productId}',
  operationId: 'updateCartItem',
  summary: 'Change the quantity of a cart line',
  description: 'Sets the quantity of a product already in the cart; not in the cart → 404.',
  tags: ['cart'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: { params: ProductIdParams, body: jsonBody(UpdateCartItemSchema, 'The new quantity') },
  responses: {
    200: jsonContent(CartSchema, 'The cart'),
    ...problemResponses(400, 401, 404, 409, 413, 415, 422, 503),
  },
});

const removeItem = createRoute({
  method: 'delete',
  path: '/items/{productId}',
  operationId: 'removeCartItem',
  summary: 'Remove a product from my cart',
  description: 'Removes the line; not in the cart → 404.',
  tags: ['cart'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: { params: ProductIdParams },
  responses: {
    200: jsonContent(CartSchema, 'The cart'),
    ...problemResponses(400, 401, 404, 409, 503),
  },
});

export const cartContract = defineContract({
  name: 'cart',
  description: "Shoppers' carts, priced live from the catalog; emptied when an order is confirmed.",
  operations: {
    getCart: defineOperation({
      summary: "Returns a user's cart with current prices (orders reads it at checkout)",
      input: z.object({ userId: z.uuid() }),
      output: CartSchema,
      idempotent: true,
    }),
  },
  routes: { getCart, addItem, updateItem, removeItem },
});

export type CartContract = typeof cartContract;
