// Helpers shared by the payments tests: a host running only payments, with
// tokens for an admin and for customers, the typed client, charge inputs and
// a logger that keeps every line.
import { randomUUID } from 'node:crypto';
import { paymentsContract, TEST_CARDS } from '@seam/payments-contract';
import type { Logger, ModuleClient } from '@seam/platform';
import {
  createTestTokens,
  jsonRequest,
  startTestHost,
  type TestHost,
  type TestHostOptions,
} from '@seam/platform/testing';
import paymentsModule from './index.js';
import type { ChargeInput } from './charge.js';
import { payments, type PaymentRow } from './schema.js';

export interface Customer {
  id: string;
  token: string;
}

export interface PaymentsTestHost extends TestHost {
  /** payments is the host's in-process typed client. */
  payments: ModuleClient<typeof paymentsContract>;
  adminToken: string;
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
  const tokens = await createTestTokens();
  const t = await startTestHost({ ...options, modules: [paymentsModule], jwks: tokens.jwks });
  const adminToken = await tokens.sign({
    id: randomUUID(),
    email: 'admin@example.com',
    role: 'admin',
  });
  return {
    ...t,
    payments: t.host.clients.of(paymentsContract),
    adminToken,
    async customer() {
      const id = randomUUID();
      return { id, token: await tokens.sign({ id, email: `${id}@example.com`, role: 'customer' }) };
    },
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
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

export { expectProblem } from '@seam/platform/testing';

/**
 * recordingLogger is a Logger that keeps every call, at every level, as a JSON
 * line, so tests can prove what never reaches the logs. It does not redact.
 */
export function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = new Proxy({} as Logger, {
    get(_, property) {
      if (property === 'child') return () => log;
      if (property === 'level') return 'trace';
      if (property === 'isLevelEnabled') return () => true;
      return (...args: unknown[]) => {
        lines.push(
          JSON.stringify(args, (_key, value: unknown) =>
            value instanceof Error
              ? { ...value, message: value.message, stack: value.stack }
              : value,
          ),
        );
      };
    },
  });
  return { log, lines };
}
