// The inventory contract: stock levels per product, and the reservation
// operations the orders module uses during checkout (reserve, commit, release).
import {
  BEARER_SECURITY,
  createRoute,
  defineContract,
  defineOperation,
  jsonBody,
  jsonContent,
  problemResponses,
  PUBLIC_SECURITY,
  requireAuth,
  z,
} from '@seam/platform';

const ProductIdSchema = z.uuid().openapi({ example: '8e9f27c6-dd9e-50b3-9b0e-03b140b75431' });

/** StockSchema is one product's stock: free to reserve, and held by open reservations. */
export const StockSchema = z
  .object({
    productId: ProductIdSchema,
    available: z
      .number()
      .int()
      .min(0)
      .openapi({ description: 'Units free to reserve', example: 25 }),
    reserved: z
      .number()
      .int()
      .min(0)
      .openapi({ description: 'Units held by open reservations', example: 2 }),
  })
  .openapi('Stock');
export type Stock = z.output<typeof StockSchema>;

export const SetStockSchema = z
  .object({ available: z.number().int().min(0).max(1_000_000).openapi({ example: 25 }) })
  .strict()
  .openapi('SetStock');

export const ReservationItemSchema = z
  .object({
    productId: ProductIdSchema,
    quantity: z.number().int().min(1).max(1000).openapi({ example: 2 }),
  })
  .openapi('ReservationItem');

/** ReservationSchema is all units held for one order, all-or-nothing. */
export const ReservationSchema = z
  .object({
    orderId: z.uuid(),
    status: z.enum(['reserved', 'committed', 'released']),
    items: z.array(ReservationItemSchema),
    expiresAt: z.string().openapi({ description: 'When an uncommitted reservation is released' }),
  })
  .openapi('Reservation');
export type Reservation = z.output<typeof ReservationSchema>;

const ProductIdParams = z.object({
  productId: ProductIdSchema.openapi({ param: { name: 'productId', in: 'path' } }),
});

const getStock = createRoute({
  method: 'get',
  path: '/stock/{productId}',
  operationId: 'getStock',
  security: PUBLIC_SECURITY,
  summary: 'Get stock of a product',
  description:
    'Units available to order and units held by open reservations. A product without stock records reports 0 and 0.',
  tags: ['inventory'],
  request: { params: ProductIdParams },
  responses: { 200: jsonContent(StockSchema, 'The stock'), ...problemResponses(400) },
});

const setStock = createRoute({
  method: 'put',
  path: '/stock/{productId}',
  operationId: 'setStock',
  summary: 'Set available stock of a product',
  description:
    'Sets the units available to reserve (a stock count). Reserved units are not affected. Admin only.',
  tags: ['inventory'],
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: { params: ProductIdParams, body: jsonBody(SetStockSchema, 'The new available count') },
  responses: {
    200: jsonContent(StockSchema, 'The stock after the change'),
    ...problemResponses(400, 401, 403, 413, 415),
  },
});

const OrderIdInput = z.object({ orderId: z.uuid() });

/**
 * inventoryContract is what other modules may use of inventory.
 * `reserve` fails with 409 `inventory.insufficient-stock` (field errors name the
 * items) and reserves nothing; all three operations are idempotent per orderId.
 */
export const inventoryContract = defineContract({
  name: 'inventory',
  description: 'Stock levels and reservations: stock never goes negative.',
  operations: {
    reserve: defineOperation({
      summary:
        'Reserves every item for an order, or nothing; repeating it returns the same reservation',
      input: z.object({ orderId: z.uuid(), items: z.array(ReservationItemSchema).min(1).max(100) }),
      output: ReservationSchema,
      idempotent: true,
    }),
    commit: defineOperation({
      summary: 'Turns an order reservation into a sale (the units leave stock)',
      input: OrderIdInput,
      output: ReservationSchema,
      idempotent: true,
    }),
    release: defineOperation({
      summary: 'Returns an order units to available stock (reserved or committed); idempotent',
      input: OrderIdInput,
      output: ReservationSchema,
      idempotent: true,
    }),
    getStock: defineOperation({
      summary: 'Returns the stock of the given products in request order',
      input: z.object({ productIds: z.array(z.uuid()).min(1).max(100) }),
      output: z.object({ items: z.array(StockSchema) }),
      idempotent: true,
    }),
  },
  routes: { getStock, setStock },
});

export type InventoryContract = typeof inventoryContract;
