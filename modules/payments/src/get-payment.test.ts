// GET /api/payments?orderId=: the order's payments for its owner or an admin.
import { randomUUID } from 'node:crypto';
import { PaymentSchema, type Payment } from '@seam/payments-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectProblem,
  newCharge,
  startPayments,
  type Customer,
  type PaymentsTestHost,
} from './test-support.js';

let t: PaymentsTestHost;
let owner: Customer;
let payment: Payment;

beforeAll(async () => {
  t = await startPayments();
  owner = await t.customer();
  payment = await t.payments.charge(newCharge({ userId: owner.id }));
});
afterAll(() => t?.close());

describe('GET /api/payments?orderId=', () => {
  it("returns the order's payment to its owner", async () => {
    const res = await t.listPayments(payment.orderId, owner.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { items: Payment[] };
    expect(body).toEqual({ items: [payment] });
    expect(PaymentSchema.parse(body.items[0])).toEqual(payment);
  });

  it('shows the current state: a refunded payment after a refund', async () => {
    const charged = await t.payments.charge(newCharge({ userId: owner.id }));
    const refunded = await t.payments.refund({ orderId: charged.orderId });
    const res = await t.listPayments(charged.orderId, owner.token);
    expect(await res.json()).toEqual({ items: [refunded] });
  });

  it('returns any order’s payment to an admin', async () => {
    const res = await t.listPayments(payment.orderId, t.adminToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [payment] });
  });

  it('answers another customer with the same 404 as an order without a payment', async () => {
    const other = await t.customer();
    const hidden = await expectProblem(
      await t.listPayments(payment.orderId, other.token),
      404,
      'payments.payment-not-found',
    );
    const unknownId = randomUUID();
    const missing = await expectProblem(
      await t.listPayments(unknownId, other.token),
      404,
      'payments.payment-not-found',
    );
    expect(hidden.detail).toBe(`Order ${payment.orderId} has no payment`);
    expect({ ...hidden, detail: '', instance: '', requestId: '' }).toEqual({
      ...missing,
      detail: '',
      instance: '',
      requestId: '',
    });
  });

  it('answers 404 to an admin for an order that was never charged', async () => {
    await expectProblem(
      await t.listPayments(randomUUID(), t.adminToken),
      404,
      'payments.payment-not-found',
    );
  });

  it('answers 401 without a token, before looking anything up', async () => {
    const res = await t.listPayments(payment.orderId);
    await expectProblem(res, 401, 'unauthorized');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    await expectProblem(await t.listPayments('not-a-uuid'), 401, 'unauthorized');
  });

  it('answers 401 for a token that is not valid', async () => {
    await expectProblem(
      await t.listPayments(payment.orderId, `${owner.token}x`),
      401,
      'invalid-token',
    );
  });

  it('answers 400 with the field path when orderId is not a uuid or missing', async () => {
    const bad = await expectProblem(
      await t.listPayments('order-1', owner.token),
      400,
      'validation-failed',
    );
    expect(bad.errors?.map((e) => e.path)).toEqual(['orderId']);
    const res = await t.request('/api/payments', {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    const missing = await expectProblem(res, 400, 'validation-failed');
    expect(missing.errors?.map((e) => e.path)).toEqual(['orderId']);
  });

  it('answers 405 for another method', async () => {
    const res = await t.request(`/api/payments?orderId=${payment.orderId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}` },
    });
    await expectProblem(res, 405, 'method-not-allowed');
  });
});
