// The payments module's exported surface, its OpenAPI document, and its
// operations over the HTTP transport (other modules call it that way when
// payments runs elsewhere).
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { paymentsContract, PaymentSchema, TEST_CARDS } from '@seam/payments-contract';
import {
  AppError,
  createClient,
  createHttpTransport,
  type ModuleClient,
  type OpenApiDocument,
} from '@seam/platform';
import type { DocumentedOperation } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import paymentsModule from './index.js';
import { newCharge, rejection, startPayments, type PaymentsTestHost } from './test-support.js';

const SERVICE_TOKEN = 'payments-test-service-token-0123456789abcdef';

let t: PaymentsTestHost;

beforeAll(async () => {
  t = await startPayments({ listen: true, env: { SEAM_SERVICE_TOKEN: SERVICE_TOKEN } });
});
afterAll(() => t?.close());

describe('exported surface', () => {
  it('pins the contract name, operations, routes, events and test cards', () => {
    expect(paymentsModule.contract).toBe(paymentsContract);
    expect(paymentsModule.consumes).toBeUndefined();
    expect(paymentsModule.config).toBeUndefined();
    expect(paymentsContract.name).toBe('payments');
    expect(
      Object.fromEntries(
        Object.entries(paymentsContract.operations).map(([name, op]) => [name, op.idempotent]),
      ),
    ).toEqual({ tokenizeCard: true, charge: true, refund: true, getPayment: true });
    expect(
      Object.entries(paymentsContract.routes).map(
        ([name, route]) => `${name} ${route.method.toUpperCase()} ${route.path}`,
      ),
    ).toEqual(['listPayments GET /']);
    expect(paymentsContract.events).toBeUndefined();
    expect(TEST_CARDS).toEqual({
      success: '4242 4242 4242 4242',
      declined: '4000 0000 0000 0002',
      insufficientFunds: '4000 0000 0000 9995',
    });
  });

  it('ships its migrations folder', async () => {
    const files = await readdir(paymentsModule.migrationsFolder);
    expect(files).toEqual(expect.arrayContaining(['0000_init.sql', 'meta']));
  });
});

describe('OpenAPI document', () => {
  const paymentPaths = (doc: OpenApiDocument) =>
    Object.keys(doc.paths ?? {}).filter((path) => path.startsWith('/api/payments'));

  it('documents GET /api/payments with summary, tags, security, its query and its errors', () => {
    expect(paymentPaths(t.host.document)).toEqual(['/api/payments']);
    const item = t.host.document.paths?.['/api/payments'] as Record<string, DocumentedOperation>;
    expect(Object.keys(item)).toEqual(['get']);
    const op = item.get!;
    expect(op.summary).toBe("List an order's payments");
    expect(op.description).toEqual(expect.any(String));
    expect(op.tags).toEqual(['payments']);
    expect(op.security).toEqual([{ bearerAuth: [] }]);
    expect(op.parameters?.map((p) => `${p.in}:${p.name}:${p.required}`)).toEqual([
      'query:orderId:true',
    ]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '404']);
  });

  it('registers Payment and Money as components', () => {
    const schemas = t.host.document.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['Payment', 'Money', 'Problem']));
  });

  it('does not expose the operations as public routes', async () => {
    for (const path of ['/api/payments/charge', '/api/payments/refund']) {
      const res = await t.request(path, { method: 'POST' });
      expect(res.status, path).toBe(404);
    }
  });
});

describe('typed client over HTTP', () => {
  let remote: ModuleClient<typeof paymentsContract>;
  beforeAll(() => {
    remote = createClient(
      paymentsContract,
      createHttpTransport({ baseUrl: t.url!, serviceToken: SERVICE_TOKEN }),
      { caller: 'orders', defaultTimeoutMs: 5000 },
    );
  });

  it('charges, repeats, reads and refunds with the same results as in-process', async () => {
    const input = newCharge();
    const payment = await remote.charge(input);
    expect(PaymentSchema.parse(payment)).toMatchObject({ status: 'captured', cardLast4: '4242' });
    expect(await remote.charge(input)).toEqual(payment);
    expect(await t.payments.getPayment({ orderId: input.orderId })).toEqual(payment);
    expect(await remote.getPayment({ orderId: input.orderId })).toEqual(payment);
    const refunded = await remote.refund({ orderId: input.orderId });
    expect(refunded).toMatchObject({ status: 'refunded', refundedAt: expect.any(String) });
    expect(await t.payments.refund({ orderId: input.orderId })).toEqual(refunded);
  });

  it('returns a decline as a payment', async () => {
    const payment = await remote.charge(newCharge({ card: { number: TEST_CARDS.declined } }));
    expect(payment).toMatchObject({ status: 'declined', declineReason: 'card_declined' });
  });

  it('rebuilds the same errors as AppErrors: invalid card, conflict, not refundable, not found', async () => {
    const sameOnBoth = async (call: (client: typeof remote) => Promise<unknown>) => {
      const overHttp = await rejection(call(remote));
      const inProcess = await rejection(call(t.payments));
      expect(overHttp).toBeInstanceOf(AppError);
      const view = (e: unknown) => {
        const { status, code, title, detail, errors } = e as AppError;
        return { status, code, title, detail, errors };
      };
      expect(view(overHttp)).toEqual(view(inProcess));
      return overHttp as AppError;
    };

    const luhn = await sameOnBoth((c) =>
      c.charge(
        newCharge({
          orderId: '00000000-0000-4000-8000-000000000001',
          card: { number: '4242424242424241' },
        }),
      ),
    );
    expect(luhn).toMatchObject({ status: 400, code: 'payments.invalid-card' });
    expect(luhn.errors?.map((e) => e.path)).toEqual(['card.number']);

    const letters = await sameOnBoth((c) =>
      c.charge(
        newCharge({
          orderId: '00000000-0000-4000-8000-000000000002',
          card: { number: '4242 4242 4242 424x' },
        }),
      ),
    );
    expect(letters).toMatchObject({ status: 400, code: 'validation-failed' });
    expect(letters.errors?.map((e) => e.path)).toEqual(['card.number']);

    const input = newCharge();
    await remote.charge(input);
    const conflict = await sameOnBoth((c) => c.charge({ ...input, userId: randomUUID() }));
    expect(conflict).toMatchObject({ status: 409, code: 'payments.order-already-charged' });

    const declined = await remote.charge(newCharge({ card: { number: TEST_CARDS.declined } }));
    const notRefundable = await sameOnBoth((c) => c.refund({ orderId: declined.orderId }));
    expect(notRefundable).toMatchObject({ status: 409, code: 'payments.not-refundable' });

    const unknown = randomUUID();
    const notFound = await sameOnBoth((c) => c.getPayment({ orderId: unknown }));
    expect(notFound).toMatchObject({ status: 404, code: 'payments.payment-not-found' });
  });

  it('refuses a call without the service credential', async () => {
    const stranger = createClient(
      paymentsContract,
      createHttpTransport({ baseUrl: t.url!, serviceToken: 'not-the-service-token-0123456789' }),
      { caller: 'orders', defaultTimeoutMs: 5000 },
    );
    const input = newCharge();
    const error = await rejection(stranger.charge(input));
    expect(error).toMatchObject({ status: 401, code: 'invalid-service-token' });
    await expect(t.payments.getPayment({ orderId: input.orderId })).rejects.toMatchObject({
      status: 404,
    });
  });
});
