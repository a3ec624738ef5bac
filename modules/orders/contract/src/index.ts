// The orders contract: checkout (an idempotent POST that runs the saga), the
// shopper's orders, cancellation, and the events other modules react to.
import {
  BEARER_SECURITY,
  CursorQuerySchema,
  createRoute,
  defineContract,
  defineEvent,
  defineOperation,
  jsonBody,
  jsonContent,
  MoneySchema,
  problemResponses,
  requireAuth,
  z,
} from '@seam/platform';

export const ORDER_STATUSES = ['pending', 'confirmed', 'failed', 'cancelled'] as const;

/** ORDER_EXAMPLE is a confirmed order of two grinders, as the API returns it. */
const ORDER_EXAMPLE = {
  id: '3f1c9a7e-2b4d-4c8e-9f6a-1d2e3c4b5a69',
  userId: 'b7e2d4c1-8a3f-4e6b-9c5d-2f1a0e9d8c7b',
  status: 'confirmed',
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
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Row',
    city: 'London',
    postalCode: 'N1 9GU',
    country: 'GB',
  },
  failureReason: null,
  createdAt: '2025-01-06T09:00:00.000Z',
  updatedAt: '2025-01-06T09:00:01.000Z',
} as const;

export const ShippingAddressSchema = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: 'Ada Lovelace' }),
    line1: z.string().trim().min(1).max(200).openapi({ example: '12 Analytical Row' }),
    city: z.string().trim().min(1).max(100).openapi({ example: 'London' }),
    postalCode: z.string().trim().min(1).max(20).openapi({ example: 'N1 9GU' }),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as "GB"')
      .openapi({ example: 'GB' }),
  })
  .strict()
  .openapi('ShippingAddress');

export const CheckoutRequestSchema = z
  .object({
    paymentMethod: z
      .object({
        card: z
          .string()
          .regex(/^[0-9][0-9 -]{10,22}[0-9]$/, 'must be a card number of 12 to 19 digits')
          .openapi({ example: '4242 4242 4242 4242' }),
      })
      .strict(),
    shippingAddress: ShippingAddressSchema,
  })
  .strict()
  .openapi('CheckoutRequest', {
    example: {
      paymentMethod: { card: '4242 4242 4242 4242' },
      shippingAddress: ORDER_EXAMPLE.shippingAddress,
    },
  });

export const OrderItemSchema = z
  .object({
    productId: z.uuid(),
    name: z.string(),
    quantity: z.number().int().min(1),
    unitPrice: MoneySchema,
    lineTotal: MoneySchema,
  })
  .openapi('OrderItem', { example: ORDER_EXAMPLE.items[0] });

export const OrderSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    status: z.enum(ORDER_STATUSES),
    items: z.array(OrderItemSchema),
    total: MoneySchema,
    shippingAddress: ShippingAddressSchema,
    failureReason: z
      .enum([
        'card_declined',
        'insufficient_funds',
        'out_of_stock',
        'reservation_expired',
        'deadline_passed',
        'interrupted',
      ])
      .nullable()
      .openapi({ description: 'Why a failed order failed' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Order', { example: ORDER_EXAMPLE });
export type Order = z.output<typeof OrderSchema>;

export const OrderPageSchema = z
  .object({ items: z.array(OrderSchema), nextCursor: z.string().nullable() })
  .openapi('OrderPage', { example: { items: [ORDER_EXAMPLE], nextCursor: null } });

const OrderIdParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: ORDER_EXAMPLE.id }),
});

const checkout = createRoute({
  method: 'post',
  path: '/',
  operationId: 'checkout',
  summary: 'Check out the cart',
  description:
    'Prices the cart from the catalog, reserves stock, charges the card and confirms the order — or fails it (status `failed`, stock released). Requires an `Idempotency-Key`: replaying the same key and body returns the first response; the same key with another body is 422; while the first request is still running, 409.',
  tags: ['orders'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: {
    headers: z.object({
      'idempotency-key': z
        .string()
        .min(1)
        .max(255)
        .openapi({
          // Lowercase: Hono validates headers by their lowercased names; HTTP does not care.
          param: { name: 'idempotency-key', in: 'header' },
          description:
            'A key you choose per checkout (e.g. a UUID); replays with it return the first answer for 24 hours',
          example: '5d1c2b9a-checkout-1',
        }),
    }),
    body: jsonBody(CheckoutRequestSchema, 'Payment method and shipping address'),
  },
  responses: {
    201: jsonContent(OrderSchema, 'The order: confirmed, or failed with a reason'),
    ...problemResponses(400, 401, 409, 413, 415, 422, 503),
  },
});

const listOrders = createRoute({
  method: 'get',
  path: '/',
  operationId: 'listOrders',
  summary: 'List my orders',
  description: 'Your orders, newest first, paginated.',
  tags: ['orders'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: {
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(100)
        .default(20)
        .openapi({ param: { name: 'limit', in: 'query' }, example: 20 }),
      cursor: CursorQuerySchema,
    }),
  },
  responses: {
    200: jsonContent(OrderPageSchema, 'A page of orders'),
    ...problemResponses(400, 401),
  },
});

const getOrder = createRoute({
  method: 'get',
  path: '/{id}',
  operationId: 'getOrder',
  summary: 'Get one of my orders',
  description: "Another user's order is 404 (admins see every order).",
  tags: ['orders'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: { params: OrderIdParams },
  responses: { 200: jsonContent(OrderSchema, 'The order'), ...problemResponses(400, 401, 404) },
});

const cancelOrder = createRoute({
  method: 'post',
  path: '/{id}/cancel',
  operationId: 'cancelOrder',
  summary: 'Cancel a confirmed order',
  description:
    'Refunds the payment and returns the stock; the order becomes `cancelled`. Cancelling a cancelled order returns it unchanged; a pending or failed order is 409.',
  tags: ['orders'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: { params: OrderIdParams },
  responses: {
    200: jsonContent(OrderSchema, 'The cancelled order'),
    ...problemResponses(400, 401, 404, 409, 503),
  },
});

const OrderRefSchema = z.object({ orderId: z.uuid(), userId: z.uuid() });

/** OrderConfirmed: paid and stock committed; carts empty, notifications send. */
export const OrderConfirmed = defineEvent({
  type: 'orders.OrderConfirmed',
  version: 1,
  description: 'An order was paid and its stock committed',
  payload: OrderRefSchema.extend({ total: MoneySchema, itemCount: z.number().int() }),
});

/** OrderFailed: the order could not be completed; nothing is charged or held. */
export const OrderFailed = defineEvent({
  type: 'orders.OrderFailed',
  version: 1,
  description:
    'An order failed (declined card, insufficient funds, out of stock, reservation expired, deadline passed, interrupted)',
  payload: OrderRefSchema.extend({ reason: z.string() }),
});

/** OrderCancelled: a confirmed order was refunded and its stock returned. */
export const OrderCancelled = defineEvent({
  type: 'orders.OrderCancelled',
  version: 1,
  description: 'A confirmed order was cancelled, refunded and its stock returned',
  payload: OrderRefSchema.extend({ total: MoneySchema }),
});

export const ordersContract = defineContract({
  name: 'orders',
  description: 'Checkout and orders: the saga over cart, catalog, inventory and payments.',
  operations: {
    getOrder: defineOperation({
      summary: 'Returns an order by id (any user); 404 when unknown',
      input: z.object({ id: z.uuid() }),
      output: OrderSchema,
      idempotent: true,
    }),
  },
  routes: { checkout, listOrders, getOrder, cancelOrder },
  events: { OrderConfirmed, OrderFailed, OrderCancelled },
});

export type OrdersContract = typeof ordersContract;
