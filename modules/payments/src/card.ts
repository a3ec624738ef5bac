// The simulated card provider: checks a card number and decides the outcome
// of a charge by test card. The number lives only in memory for the length of
// a call; what leaves this file is the last four digits and the outcome.
import { AppError } from '@seam/platform';
import type { DeclineReason } from './schema.js';

/** CARD_NUMBER_PATH is the input field every card problem points at. */
export const CARD_NUMBER_PATH = 'card.number';

/** Outcome is what the provider answers for a card. */
export type Outcome =
  | { status: 'captured'; declineReason: null }
  | { status: 'declined'; declineReason: DeclineReason };

/** DECLINING_CARDS are the test cards that decline, by their digits. */
const DECLINING_CARDS: Readonly<Record<string, DeclineReason>> = {
  '4000000000000002': 'card_declined',
  '4000000000009995': 'insufficient_funds',
};

/** CheckedCard is a valid card: its outcome and last four digits, never the number. */
export interface CheckedCard {
  last4: string;
  outcome: Outcome;
}

/**
 * checkCard normalises a card number (spaces and dashes removed), checks it has
 * 12 to 19 digits and passes the Luhn check, and returns its outcome. An
 * invalid number is a 400 `payments.invalid-card` that never quotes it.
 *
 * @example
 * checkCard('4000 0000 0000 9995');
 * // { last4: '9995', outcome: { status: 'declined', declineReason: 'insufficient_funds' } }
 */
export function checkCard(number: string): CheckedCard {
  const digits = number.replace(/[\s-]/g, '');
  if (!/^[0-9]{12,19}$/.test(digits)) {
    throw invalidCard('must have 12 to 19 digits', 'invalid_length');
  }
  if (!passesLuhn(digits)) {
    throw invalidCard('fails the Luhn check', 'invalid_checksum');
  }
  const declineReason = DECLINING_CARDS[digits];
  return {
    last4: digits.slice(-4),
    outcome: declineReason
      ? { status: 'declined', declineReason }
      : { status: 'captured', declineReason: null },
  };
}

/** passesLuhn runs the Luhn (mod 10) check over a string of digits. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function invalidCard(message: string, code: string): AppError {
  return new AppError({
    status: 400,
    code: 'payments.invalid-card',
    title: 'Invalid card',
    detail: `The card number ${message}`,
    errors: [{ path: CARD_NUMBER_PATH, message, code }],
  });
}
