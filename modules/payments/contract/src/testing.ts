// A fake payments provider for other modules' tests (import from
// '@seam/payments-contract/testing'): payments and card tokens in maps the test
// inspects, the TEST_CARDS outcomes of the real provider (decline, insufficient
// funds), charge idempotent per order, and the switches every fake has
// (`unavailable`, `before`). Host it as a module (`fake.module`) or call it
// directly (`fake.client`).
import { randomUUID } from 'node:crypto';
import { AppError } from '@seam/platform';
import { fakeClient, fakeModule, fakeOperations, type ContractFake } from '@seam/platform/testing';
import { paymentsContract, TEST_CARDS, type Payment, type PaymentsContract } from './index.js';

/** CARD_TOKEN_TTL_MS is how far ahead a fake token's `expiresAt` lies (24 hours, as the contract says). */
export const CARD_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** FakeCardToken is what a token stands for in the fake vault. */
export interface FakeCardToken {
  userId: string;
  last4: string;
  declineReason: Payment['declineReason'];
}

/** FakePayments is the state and switches of one fake payments provider. */
export interface FakePayments extends ContractFake<PaymentsContract> {
  /** payments holds each order's payment by order id. */
  readonly payments: Map<string, Payment>;
  /** cardTokens is the vault: each token's owner, last four digits and the decline it stands for. */
  readonly cardTokens: Map<string, FakeCardToken>;
}

const digitsOf = (card: string) => card.replace(/\D/g, '');

/** declineOf is the outcome a card number has with the simulated provider. */
function declineOf(digits: string): Payment['declineReason'] {
  if (digits === digitsOf(TEST_CARDS.declined)) return 'card_declined';
  if (digits === digitsOf(TEST_CARDS.insufficientFunds)) return 'insufficient_funds';
  return null;
}

/**
 * fakePayments makes a fake payments provider with no payments and an empty vault.
 *
 * @example
 * const payments = fakePayments();
 * const t = await startTestHost({ modules: [ordersModule, payments.module, ...] });
 * expect(payments.payments.get(order.id)?.status).toBe('captured');
 */
export function fakePayments(): FakePayments {
  const paymentOf = (orderId: string) => {
    const payment = fake.payments.get(orderId);
    if (!payment) {
      throw AppError.notFound(`Order ${orderId} was never charged`, 'payments.payment-not-found');
    }
    return payment;
  };
  const { operations, calls } = fakeOperations(paymentsContract, () => fake, {
    async tokenizeCard({ userId, card }) {
      const token = randomUUID();
      const digits = digitsOf(card.number);
      fake.cardTokens.set(token, {
        userId,
        last4: digits.slice(-4),
        declineReason: declineOf(digits),
      });
      const expiresAt = new Date(Date.now() + CARD_TOKEN_TTL_MS).toISOString();
      return { token, cardLast4: digits.slice(-4), expiresAt };
    },
    async charge({ orderId, userId, amount, card }) {
      const existing = fake.payments.get(orderId);
      if (existing) return existing;
      const paid =
        'token' in card
          ? fake.cardTokens.get(card.token)
          : {
              last4: digitsOf(card.number).slice(-4),
              declineReason: declineOf(digitsOf(card.number)),
            };
      if (!paid) throw AppError.conflict('Unknown card token', 'payments.invalid-card-token');
      const { declineReason } = paid;
      const payment: Payment = {
        id: randomUUID(),
        orderId,
        userId,
        amount,
        status: declineReason ? 'declined' : 'captured',
        declineReason,
        cardLast4: paid.last4,
        createdAt: new Date().toISOString(),
        refundedAt: null,
      };
      fake.payments.set(orderId, payment);
      return payment;
    },
    async refund({ orderId }) {
      const payment = paymentOf(orderId);
      if (payment.status === 'declined') {
        throw AppError.conflict('A declined payment cannot be refunded', 'payments.not-refundable');
      }
      if (payment.status === 'captured') {
        payment.status = 'refunded';
        payment.refundedAt = new Date().toISOString();
      }
      return payment;
    },
    async getPayment({ orderId }) {
      return paymentOf(orderId);
    },
  });
  const fake: FakePayments = {
    payments: new Map(),
    cardTokens: new Map(),
    unavailable: false,
    calls,
    module: fakeModule(paymentsContract, { operations, routes() {} }),
    client: fakeClient<PaymentsContract>(operations),
  };
  return fake;
}
