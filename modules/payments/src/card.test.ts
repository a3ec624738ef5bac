// The simulated provider's card checks, without a database.
import { TEST_CARDS } from '@seam/payments-contract';
import { isAppError } from '@seam/platform';
import { describe, expect, it } from 'vitest';
import { checkCard, passesLuhn } from './card.js';

const failure = (number: string) => {
  try {
    checkCard(number);
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error(`${number} was accepted`);
};

describe('checkCard', () => {
  it('captures the success card and declines the two declining test cards', () => {
    expect(checkCard(TEST_CARDS.success)).toEqual({
      last4: '4242',
      outcome: { status: 'captured', declineReason: null },
    });
    expect(checkCard(TEST_CARDS.declined)).toEqual({
      last4: '0002',
      outcome: { status: 'declined', declineReason: 'card_declined' },
    });
    expect(checkCard(TEST_CARDS.insufficientFunds)).toEqual({
      last4: '9995',
      outcome: { status: 'declined', declineReason: 'insufficient_funds' },
    });
  });

  it('ignores spaces and dashes when matching a test card', () => {
    expect(checkCard('4000-0000-0000-0002').outcome.declineReason).toBe('card_declined');
    expect(checkCard('4000000000009995').outcome.declineReason).toBe('insufficient_funds');
    expect(checkCard('4242 4242-4242 4242').outcome.status).toBe('captured');
  });

  it('captures any other Luhn-valid number of 12 to 19 digits', () => {
    for (const number of [
      '5555 5555 5555 4444',
      '3782 822463 10005',
      '000000000000',
      '4111111111111111110',
    ]) {
      expect(checkCard(number).outcome, number).toEqual({
        status: 'captured',
        declineReason: null,
      });
    }
    expect(checkCard('3782 822463 10005').last4).toBe('0005');
  });

  it('rejects a number that fails the Luhn check with payments.invalid-card on card.number', () => {
    const error = failure('4242 4242 4242 4241');
    expect(error).toMatchObject({ status: 400, code: 'payments.invalid-card' });
    expect(error.errors).toEqual([
      {
        path: 'card.number',
        message: 'fails the Luhn check',
        code: 'invalid_checksum',
      },
    ]);
    expect(error.detail).toBe('The card number fails the Luhn check');
  });

  it('rejects fewer than 12 or more than 19 digits, and anything but digits', () => {
    for (const number of ['4242-4242-42', '4'.repeat(11), '4'.repeat(20), '4242x4242x4242', '']) {
      const error = failure(number);
      expect(error, number).toMatchObject({ status: 400, code: 'payments.invalid-card' });
      expect(error.errors?.map((e) => e.path)).toEqual(['card.number']);
      expect(error.errors?.[0]?.code).toBe('invalid_length');
    }
  });

  it('never quotes the number in the problem', () => {
    const problem = JSON.stringify(failure('4242424242424241').toProblem());
    expect(problem).not.toContain('4242424242424241');
    expect(problem).not.toContain('4241');
  });
});

describe('passesLuhn', () => {
  it('accepts the check digit and rejects every other last digit', () => {
    const body = '424242424242424';
    const valid = [...'0123456789'].filter((d) => passesLuhn(body + d));
    expect(valid).toEqual(['2']);
    expect(passesLuhn('79927398713')).toBe(true);
    expect(passesLuhn('79927398710')).toBe(false);
  });
});
