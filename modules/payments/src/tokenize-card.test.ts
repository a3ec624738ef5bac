// Card tokens: tokenizeCard keeps no number, and a token pays for one order of
// its user — once, also when the charge is repeated (recovery after a crash).
import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@seam/payments-contract';
import { recordingLogger } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardTokens } from './schema.js';
import { newCharge, rejection, startPayments, type PaymentsTestHost } from './test-support.js';

const recorder = recordingLogger();
let t: PaymentsTestHost;

beforeAll(async () => {
  t = await startPayments({ log: recorder.log });
});
afterAll(() => t?.close());

async function tokenFor(userId: string, number: string = TEST_CARDS.success) {
  return (await t.payments.tokenizeCard({ userId, card: { number } })).token;
}

describe('tokenizeCard', () => {
  it('returns a token and the last four digits, and stores neither the number nor a hash of it', async () => {
    const userId = randomUUID();
    const card = '5555 5555 5555 4444';
    const answer = await t.payments.tokenizeCard({ userId, card: { number: card } });
    expect(answer).toEqual({
      token: expect.stringMatching(/^[0-9a-f-]{36}$/),
      cardLast4: '4444',
      expiresAt: expect.any(String),
    });
    const rows = await t.host.database.db.select().from(cardTokens);
    const dump = JSON.stringify(rows);
    expect(dump).toContain(answer.token);
    expect(dump).not.toContain('5555555555554444');
    expect(dump).not.toContain('555555555555');
    expect(recorder.lines.join('\n')).not.toContain('5555555555554444');
  });

  it('rejects an invalid card with 400 payments.invalid-card, storing nothing', async () => {
    const before = (await t.host.database.db.select().from(cardTokens)).length;
    const error = await rejection(
      t.payments.tokenizeCard({ userId: randomUUID(), card: { number: '4242 4242 4242 4241' } }),
    );
    expect(error).toMatchObject({ status: 400, code: 'payments.invalid-card' });
    expect((await t.host.database.db.select().from(cardTokens)).length).toBe(before);
  });
});

describe('charging with a token', () => {
  it('captures with the card it stands for, and a repeat returns the same payment', async () => {
    const input = newCharge();
    const token = await tokenFor(input.userId);
    const payment = await t.payments.charge({ ...input, card: { token } });
    expect(payment).toMatchObject({
      status: 'captured',
      cardLast4: '4242',
      orderId: input.orderId,
    });
    expect(await t.payments.charge({ ...input, card: { token } })).toEqual(payment);
  });

  it('declines like the card would', async () => {
    const input = newCharge();
    const token = await tokenFor(input.userId, TEST_CARDS.insufficientFunds);
    expect(await t.payments.charge({ ...input, card: { token } })).toMatchObject({
      status: 'declined',
      declineReason: 'insufficient_funds',
      cardLast4: '9995',
    });
  });

  it('refuses with 409 payments.invalid-card-token another user, a second order, or an unknown token', async () => {
    const input = newCharge();
    const token = await tokenFor(input.userId);
    const cases = [
      { ...input, userId: randomUUID(), card: { token } },
      { ...input, card: { token: randomUUID() } },
    ];
    for (const attempt of cases) {
      expect(await rejection(t.payments.charge(attempt))).toMatchObject({
        status: 409,
        code: 'payments.invalid-card-token',
      });
    }
    await t.payments.charge({ ...input, card: { token } });
    expect(
      await rejection(t.payments.charge({ ...input, orderId: randomUUID(), card: { token } })),
    ).toMatchObject({ status: 409, code: 'payments.invalid-card-token' });
  });
});
