// The payments contract: a simulated card provider. Orders charges and refunds
// through the operations; owners and admins read payments over HTTP.
import {
  BEARER_SECURITY,
  createRoute,
  defineContract,
  defineOperation,
  jsonContent,
  MoneySchema,
  problemResponses,
  requireAuth,
  z,
} from '@seam/platform';

/** TEST_CARDS are the simulated provider's cards with a fixed outcome. */
export const TEST_CARDS = {
  success: '4242 4242 4242 4242',
  declined: '4000 0000 0000 0002',
  insufficientFunds: '4000 0000 0000 9995',
} as const;

/** CardNumberSchema: 12–19 digits, spaces or dashes allowed, Luhn-valid. Never stored. */
export const CardNumberSchema = z
  .string()
  .regex(/^[0-9][0-9 -]{10,22}[0-9]$/, 'must be a card number of 12 to 19 digits')
  .openapi({
    example: TEST_CARDS.success,
    description:
      'Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds',
  });

/** CardTokenSchema: a token standing for a card, from tokenizeCard; it pays for one order. */
export const CardTokenSchema = z
  .object({
    token: z.uuid(),
    cardLast4: z.string().length(4).openapi({ example: '4242' }),
    expiresAt: z.string(),
  })
  .openapi('CardToken');
export type CardToken = z.output<typeof CardTokenSchema>;

/** PAYMENT_EXAMPLE is a captured payment of an order, as the API returns it. */
const PAYMENT_EXAMPLE = {
  id: 'c2a4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e81',
  orderId: '3f1c9a7e-2b4d-4c8e-9f6a-1d2e3c4b5a69',
  userId: 'b7e2d4c1-8a3f-4e6b-9c5d-2f1a0e9d8c7b',
  amount: { amount: 49800, currency: 'EUR' },
  status: 'captured',
  declineReason: null,
  cardLast4: '4242',
  createdAt: '2025-01-06T09:00:01.000Z',
  refundedAt: null,
} as const;

export const PaymentSchema = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    userId: z.uuid(),
    amount: MoneySchema,
    status: z.enum(['captured', 'declined', 'refunded']),
    declineReason: z.enum(['card_declined', 'insufficient_funds']).nullable(),
    cardLast4: z.string().length(4).openapi({ example: '4242' }),
    createdAt: z.string(),
    refundedAt: z.string().nullable(),
  })
  .openapi('Payment', { example: PAYMENT_EXAMPLE });
export type Payment = z.output<typeof PaymentSchema>;

const listPayments = createRoute({
  method: 'get',
  path: '/',
  operationId: 'listPayments',
  summary: "List an order's payments",
  description: 'The payments of one order, for its owner or an admin; anyone else gets 404.',
  tags: ['payments'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: {
    query: z.object({
      orderId: z
        .uuid()
        .openapi({ param: { name: 'orderId', in: 'query' }, example: PAYMENT_EXAMPLE.orderId }),
    }),
  },
  responses: {
    200: jsonContent(
      z
        .object({ items: z.array(PaymentSchema) })
        .openapi({ example: { items: [PAYMENT_EXAMPLE] } }),
      'The payments',
    ),
    ...problemResponses(400, 401, 404),
  },
});

const OrderIdInput = z.object({ orderId: z.uuid() });

/**
 * paymentsContract: `charge` is idempotent per orderId — a repeat returns the first
 * payment and never charges twice; a decline is a payment with status `declined`,
 * not an error. `tokenizeCard` swaps a card number for a token `charge` accepts
 * instead, so a caller can charge (or retry a charge) later without keeping the
 * number.
 */
export const paymentsContract = defineContract({
  name: 'payments',
  description: 'A simulated card provider: charges, declines and refunds.',
  operations: {
    tokenizeCard: defineOperation({
      summary:
        'Stores a card in the vault and returns a token that can pay for one order of this user (24 h)',
      input: z.object({ userId: z.uuid(), card: z.object({ number: CardNumberSchema }) }),
      output: CardTokenSchema,
      // A retry makes another token; an unused token moves no money and expires.
      idempotent: true,
    }),
    charge: defineOperation({
      summary: 'Charges a card for an order once; repeats return the first payment',
      input: z.object({
        orderId: z.uuid(),
        userId: z.uuid(),
        amount: MoneySchema,
        card: z.union([
          z.object({ number: CardNumberSchema }),
          z.object({ token: z.uuid().openapi({ description: 'A token from tokenizeCard' }) }),
        ]),
      }),
      output: PaymentSchema,
      idempotent: true,
    }),
    refund: defineOperation({
      summary: 'Refunds the captured payment of an order; repeats return the refunded payment',
      input: OrderIdInput,
      output: PaymentSchema,
      idempotent: true,
    }),
    getPayment: defineOperation({
      summary: 'Returns the payment of an order; 404 when the order was never charged',
      input: OrderIdInput,
      output: PaymentSchema,
      idempotent: true,
    }),
  },
  routes: { listPayments },
});

export type PaymentsContract = typeof paymentsContract;
