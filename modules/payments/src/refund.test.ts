// The refund and getPayment operations through the host's typed client.
import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@seam/payments-contract';
import { AppError } from '@seam/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCharge, rejection, startPayments, type PaymentsTestHost } from './test-support.js';

let t: PaymentsTestHost;

beforeAll(async () => {
  t = await startPayments();
});
afterAll(() => t?.close());

describe('refund', () => {
  it('moves a captured payment to refunded and sets refundedAt', async () => {
    const captured = await t.payments.charge(newCharge());
    const refunded = await t.payments.refund({ orderId: captured.orderId });
    expect(refunded).toEqual({
      ...captured,
      status: 'refunded',
      refundedAt: expect.any(String),
    });
    expect(Date.parse(refunded.refundedAt!)).toBeGreaterThanOrEqual(Date.parse(captured.createdAt));
    expect(await t.payments.getPayment({ orderId: captured.orderId })).toEqual(refunded);
  });

  it('returns a refunded payment as it is when asked again', async () => {
    const { orderId } = await t.payments.charge(newCharge());
    const first = await t.payments.refund({ orderId });
    const again = await t.payments.refund({ orderId });
    expect(again).toEqual(first);
  });

  it('refunds once when refunds of one order race', async () => {
    const { orderId } = await t.payments.charge(newCharge());
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.payments.refund({ orderId })),
    );
    expect(new Set(results.map((p) => `${p.status} ${p.refundedAt}`)).size).toBe(1);
    expect(results[0]!.status).toBe('refunded');
  });

  it('answers 409 payments.not-refundable for a declined payment and leaves it declined', async () => {
    for (const number of [TEST_CARDS.declined, TEST_CARDS.insufficientFunds]) {
      const declined = await t.payments.charge(newCharge({ card: { number } }));
      const error = await rejection(t.payments.refund({ orderId: declined.orderId }));
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        status: 409,
        code: 'payments.not-refundable',
        detail: `The payment of order ${declined.orderId} was declined; there is nothing to refund`,
      });
      expect(await t.payments.getPayment({ orderId: declined.orderId })).toEqual(declined);
    }
  });

  it('answers 404 payments.payment-not-found for an order that was never charged', async () => {
    const orderId = randomUUID();
    const error = await rejection(t.payments.refund({ orderId }));
    expect(error).toMatchObject({
      status: 404,
      code: 'payments.payment-not-found',
      detail: `Order ${orderId} has no payment`,
    });
    expect(await t.rows()).not.toContainEqual(expect.objectContaining({ orderId }));
  });

  it('answers 400 with the field path for an orderId that is not a uuid', async () => {
    const error = await rejection(t.payments.refund({ orderId: 'order-1' }));
    expect(error).toMatchObject({ status: 400, code: 'validation-failed' });
    expect((error as AppError).errors?.map((e) => e.path)).toEqual(['orderId']);
  });

  it('does not charge again: a charge after the refund returns the refunded payment', async () => {
    const input = newCharge();
    await t.payments.charge(input);
    const refunded = await t.payments.refund({ orderId: input.orderId });
    expect(await t.payments.charge(input)).toEqual(refunded);
  });
});

describe('getPayment', () => {
  it('returns the payment of an order', async () => {
    const payment = await t.payments.charge(newCharge({ card: { number: TEST_CARDS.declined } }));
    expect(await t.payments.getPayment({ orderId: payment.orderId })).toEqual(payment);
  });

  it('answers 404 payments.payment-not-found for an order that was never charged', async () => {
    const error = await rejection(t.payments.getPayment({ orderId: randomUUID() }));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 404, code: 'payments.payment-not-found' });
  });
});
