// Helpers shared by the payments tests: a host running only payments, with
// tokens for an admin and for customers, the typed client and charge inputs.
import { randomUUID } from 'node:crypto';
import { paymentsContract, TEST_CARDS } from '@seam/payments-contract';
import type { ModuleClient } from '@seam/platform';
import {
  jsonRequest,
  startTestHostWithTokens,
  type TestHostOptions,
  type TestHostWithTokens,
  type TestUser,
} from '@seam/platform/testing';
import paymentsModule from './index.js';
import type { ChargeInput } from './charge.js';
import { payments, type PaymentRow } from './schema.js';

export type Customer = TestUser;

export interface PaymentsTestHost extends TestHostWithTokens {
  /** payments is the host's in-process typed client. */
  payments: ModuleClient<typeof paymentsContract>;
  /** customer signs a token for a new customer id. */
  customer(): Promise<Customer>;
  /** listPayments calls GET /api/payments?orderId= with an optional token. */
  listPayments(orderId: string, token?: string): Promise<Response>;
  /** rows reads payments.payments directly. */
  rows(): Promise<PaymentRow[]>;
}

/** startPayments starts a host with only the payments module on a fresh database. */
export async function startPayments(
  options: Partial<Omit<TestHostOptions, 'modules' | 'jwks'>> = {},
): Promise<PaymentsTestHost> {
  const t = await startTestHostWithTokens({ ...options, modules: [paymentsModule] });
  return {
    ...t,
    payments: t.host.clients.of(paymentsContract),
    customer: () => t.signUser(),
    listPayments: (orderId, token) =>
      t.request(
        `/api/payments?orderId=${encodeURIComponent(orderId)}`,
        jsonRequest('GET', undefined, token),
      ),
    rows: () => t.host.database.db.select().from(payments),
  };
}

/** newCharge is valid charge input for a new order, paid with the succeeding test card. */
export function newCharge(overrides: Partial<ChargeInput> = {}): ChargeInput {
  return {
    orderId: randomUUID(),
    userId: randomUUID(),
    amount: { amount: 24900, currency: 'EUR' },
    card: { number: TEST_CARDS.success },
    ...overrides,
  };
}

/** rejection awaits a promise that must fail and returns its error. */
export { expectProblem, rejection } from '@seam/platform/testing';
