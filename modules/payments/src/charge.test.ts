// The charge operation through the host's typed client: outcomes by test card,
// card and amount validation, idempotency per order (also under races), and
// that the full card number is neither stored nor logged.
import { randomUUID } from 'node:crypto';
import { PaymentSchema, TEST_CARDS } from '@seam/payments-contract';
import { AppError, type Database } from '@seam/platform';
import { recordingLogger } from '@seam/platform/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCharge, rejection, startPayments, type PaymentsTestHost } from './test-support.js';

const recorder = recordingLogger();
let t: PaymentsTestHost;

beforeAll(async () => {
  t = await startPayments({ log: recorder.log });
});
afterAll(() => t?.close());

const digits = (number: string) => number.replace(/[\s-]/g, '');

describe('charge outcomes by test card', () => {
  it('captures 4242 4242 4242 4242', async () => {
    const input = newCharge({ card: { number: TEST_CARDS.success } });
    const payment = await t.payments.charge(input);
    expect(payment).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      orderId: input.orderId,
      userId: input.userId,
      amount: { amount: 24900, currency: 'EUR' },
      status: 'captured',
      declineReason: null,
      cardLast4: '4242',
      createdAt: expect.any(String),
      refundedAt: null,
    });
    expect(new Date(payment.createdAt).toISOString()).toBe(payment.createdAt);
    expect(PaymentSchema.parse(payment)).toEqual(payment);
  });

  it('declines 4000 0000 0000 0002 with card_declined, as a payment and not an error', async () => {
    const payment = await t.payments.charge(newCharge({ card: { number: TEST_CARDS.declined } }));
    expect(payment).toMatchObject({
      status: 'declined',
      declineReason: 'card_declined',
      cardLast4: '0002',
      refundedAt: null,
    });
  });

  it('declines 4000 0000 0000 9995 with insufficient_funds', async () => {
    const payment = await t.payments.charge(
      newCharge({ card: { number: TEST_CARDS.insufficientFunds } }),
    );
    expect(payment).toMatchObject({
      status: 'declined',
      declineReason: 'insufficient_funds',
      cardLast4: '9995',
    });
  });

  it('matches test cards whatever their spaces and dashes', async () => {
    const declined = await t.payments.charge(
      newCharge({ card: { number: '4000-0000-0000-0002' } }),
    );
    expect(declined.declineReason).toBe('card_declined');
    const insufficient = await t.payments.charge(
      newCharge({ card: { number: '4000000000009995' } }),
    );
    expect(insufficient.declineReason).toBe('insufficient_funds');
  });

  it('captures any other Luhn-valid number', async () => {
    for (const number of ['5555 5555 5555 4444', '3782-822463-10005', '4111111111111111110']) {
      const payment = await t.payments.charge(newCharge({ card: { number } }));
      expect(payment, number).toMatchObject({
        status: 'captured',
        declineReason: null,
        cardLast4: digits(number).slice(-4),
      });
    }
  });

  it('stores the amount as given, in minor units up to the largest safe integer', async () => {
    const amount = { amount: Number.MAX_SAFE_INTEGER, currency: 'JPY' };
    const payment = await t.payments.charge(newCharge({ amount }));
    expect(payment.amount).toEqual(amount);
    expect((await t.payments.getPayment({ orderId: payment.orderId })).amount).toEqual(amount);
  });
});

describe('invalid input', () => {
  const expectRejected = async (
    input: ReturnType<typeof newCharge>,
    code: string,
    path: string,
  ) => {
    const before = (await t.rows()).length;
    const error = await rejection(t.payments.charge(input));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, code });
    expect((error as AppError).errors?.map((e) => e.path)).toEqual([path]);
    expect(JSON.stringify((error as AppError).toProblem())).not.toContain(
      digits('number' in input.card ? input.card.number : ''),
    );
    expect((await t.rows()).length).toBe(before);
    expect(await t.payments.getPayment({ orderId: input.orderId }).catch((e) => e)).toMatchObject({
      status: 404,
    });
    return error as AppError;
  };

  it('rejects a number that fails the Luhn check with 400 payments.invalid-card', async () => {
    const error = await expectRejected(
      newCharge({ card: { number: '4242 4242 4242 4241' } }),
      'payments.invalid-card',
      'card.number',
    );
    expect(error.title).toBe('Invalid card');
    expect(error.detail).toBe('The card number fails the Luhn check');
  });

  it('rejects letters in the number with 400 on card.number', async () => {
    await expectRejected(
      newCharge({ card: { number: '4242 4242 abcd 4242' } }),
      'validation-failed',
      'card.number',
    );
  });

  it('rejects a number that is too short with 400 on card.number', async () => {
    await expectRejected(
      newCharge({ card: { number: '4242 4242' } }),
      'validation-failed',
      'card.number',
    );
    // Long enough as text, but only ten digits once the dashes are gone.
    await expectRejected(
      newCharge({ card: { number: '4242-4242-42' } }),
      'payments.invalid-card',
      'card.number',
    );
  });

  it('rejects more than 19 digits with 400 payments.invalid-card', async () => {
    await expectRejected(
      newCharge({ card: { number: '4242 4242 4242 4242 4242' } }),
      'payments.invalid-card',
      'card.number',
    );
  });

  it('rejects an amount of 0 and a negative amount with 400 on amount.amount', async () => {
    const zero = await expectRejected(
      newCharge({ amount: { amount: 0, currency: 'EUR' } }),
      'validation-failed',
      'amount.amount',
    );
    expect(zero.detail).toBe('The input of payments.charge is invalid: amount.amount');
    await expectRejected(
      newCharge({ amount: { amount: -1, currency: 'EUR' } }),
      'validation-failed',
      'amount.amount',
    );
  });

  it('rejects a fractional amount and a lowercase currency with 400 field errors', async () => {
    await expectRejected(
      newCharge({ amount: { amount: 10.5, currency: 'EUR' } }),
      'validation-failed',
      'amount.amount',
    );
    await expectRejected(
      newCharge({ amount: { amount: 100, currency: 'eur' } }),
      'validation-failed',
      'amount.currency',
    );
  });

  it('rejects an invalid card on a repeat, too, without touching the first payment', async () => {
    const input = newCharge();
    const first = await t.payments.charge(input);
    const error = await rejection(
      t.payments.charge({ ...input, card: { number: '4242424242424241' } }),
    );
    expect(error).toMatchObject({ status: 400, code: 'payments.invalid-card' });
    expect(await t.payments.getPayment({ orderId: input.orderId })).toEqual(first);
  });
});

describe('idempotency per order', () => {
  it('returns the first payment for a repeat and writes one row', async () => {
    const input = newCharge();
    const first = await t.payments.charge(input);
    const again = await t.payments.charge(input);
    expect(again).toEqual(first);
    expect((await t.rows()).filter((r) => r.orderId === input.orderId)).toHaveLength(1);
  });

  it('returns the first outcome for a repeat with another card: a decline stays declined', async () => {
    const input = newCharge({ card: { number: TEST_CARDS.declined } });
    const first = await t.payments.charge(input);
    const again = await t.payments.charge({ ...input, card: { number: TEST_CARDS.success } });
    expect(again).toEqual(first);
    expect(again.status).toBe('declined');
  });

  it('answers 409 payments.order-already-charged for a repeat with another amount, currency or user', async () => {
    const input = newCharge();
    const first = await t.payments.charge(input);
    for (const changed of [
      { ...input, amount: { amount: 24901, currency: 'EUR' } },
      { ...input, amount: { amount: 24900, currency: 'USD' } },
      { ...input, userId: randomUUID() },
    ]) {
      const error = await rejection(t.payments.charge(changed));
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({
        status: 409,
        code: 'payments.order-already-charged',
        detail: `Order ${input.orderId} was already charged for another user or amount`,
      });
    }
    expect(await t.payments.getPayment({ orderId: input.orderId })).toEqual(first);
  });

  it('writes one row when many charges of one order race', async () => {
    const input = newCharge();
    const results = await Promise.all(Array.from({ length: 8 }, () => t.payments.charge(input)));
    expect(new Set(results.map((p) => p.id)).size).toBe(1);
    expect(results.every((p) => p.status === 'captured')).toBe(true);
    expect((await t.rows()).filter((r) => r.orderId === input.orderId)).toHaveLength(1);
  });

  it('lets exactly one of two racing charges with different amounts win; the other is a 409', async () => {
    const input = newCharge();
    const settled = await Promise.allSettled([
      t.payments.charge(input),
      t.payments.charge({ ...input, amount: { amount: 100, currency: 'EUR' } }),
    ]);
    const won = settled.filter((s) => s.status === 'fulfilled');
    const lost = settled.filter((s) => s.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ status: 409, code: 'payments.order-already-charged' });
    const rows = (await t.rows()).filter((r) => r.orderId === input.orderId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.amount).toBe(won[0]!.value.amount.amount);
  });
});

describe('the full card number', () => {
  const CARD = '5555 5555 5555 4444';

  /** everything returns every row of every table in the payments schema as JSON text. */
  const everything = async (db: Database) => {
    const rowsOf = async (query: ReturnType<typeof sql>) => {
      const result = (await db.execute(query)) as unknown;
      return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<
        string,
        string
      >[];
    };
    const tables = await rowsOf(
      sql`select table_name from information_schema.tables where table_schema = 'payments'`,
    );
    expect(tables.map((r) => r.table_name)).toContain('payments');
    const dumps: string[] = [];
    for (const { table_name: name } of tables) {
      const rows = await rowsOf(
        sql`select row_to_json(t)::text as json from ${sql.identifier('payments')}.${sql.identifier(name!)} t`,
      );
      dumps.push(...rows.map((r) => r.json!));
    }
    return dumps.join('\n');
  };

  it('is stored nowhere in the payments schema, only its last four digits', async () => {
    const input = newCharge({ card: { number: CARD } });
    const payment = await t.payments.charge(input);
    await t.payments.charge(input);
    await t.payments.refund({ orderId: input.orderId });

    const [row] = (await t.rows()).filter((r) => r.id === payment.id);
    expect(row).toMatchObject({ cardLast4: '4444', status: 'refunded' });
    expect(JSON.stringify(row)).not.toContain('5555555555554444');

    const dump = await everything(t.host.database.db);
    expect(dump).toContain(payment.id);
    expect(dump).not.toContain('5555555555554444');
    expect(dump).not.toContain(CARD);
    expect(dump).not.toContain('555555555555');
  });

  it('never reaches the logs, for charges, repeats and rejected numbers alike', async () => {
    const input = newCharge({ card: { number: CARD } });
    await t.payments.charge(input);
    await t.payments.charge(input);
    await rejection(t.payments.charge({ ...input, amount: { amount: 1, currency: 'EUR' } }));
    await rejection(t.payments.charge(newCharge({ card: { number: '5555 5555 5555 4445' } })));

    const logs = recorder.lines.join('\n');
    expect(logs).toContain('card charged');
    expect(logs).toContain(input.orderId);
    for (const secret of ['5555555555554444', CARD, '5555555555554445', '5555 5555 5555 4445']) {
      expect(logs).not.toContain(secret);
    }
  });
});
