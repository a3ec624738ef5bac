// The words of every message, and money in each currency's own precision.
import { describe, expect, it } from 'vitest';
import {
  formatMoney,
  orderCancelledMessage,
  orderConfirmedMessage,
  orderFailedMessage,
  welcomeMessage,
} from './messages.js';

const ORDER_ID = '5f0c2a8e-0c1f-4a53-9d6e-7a1b2c3d4e5f';

describe('formatMoney', () => {
  it.each([
    [{ amount: 24900, currency: 'EUR' }, '249.00 EUR'],
    [{ amount: 5, currency: 'USD' }, '0.05 USD'],
    [{ amount: 0, currency: 'GBP' }, '0.00 GBP'],
    [{ amount: 123456789, currency: 'CHF' }, '1234567.89 CHF'],
    [{ amount: 2400, currency: 'JPY' }, '2400 JPY'],
    [{ amount: 1234, currency: 'BHD' }, '1.234 BHD'],
    [{ amount: 150, currency: 'XYZ' }, '1.50 XYZ'],
    [{ amount: Number.MAX_SAFE_INTEGER, currency: 'EUR' }, '90071992547409.91 EUR'],
  ])('formats %j as %s', (money, text) => {
    expect(formatMoney(money)).toBe(text);
  });
});

describe('messages', () => {
  it('welcomes by name and names the account address', () => {
    const message = welcomeMessage('Ada', 'ada@example.com');
    expect(message.subject).toBe('Welcome to Seam, Ada!');
    expect(message.body).toContain('Hi Ada,');
    expect(message.body).toContain('ada@example.com');
  });

  it('confirms an order with its id, total and item count', () => {
    const message = orderConfirmedMessage('Ada', {
      orderId: ORDER_ID,
      total: { amount: 24900, currency: 'EUR' },
      itemCount: 3,
    });
    expect(message.subject).toBe(`Your order ${ORDER_ID} is confirmed`);
    expect(message.body).toContain(ORDER_ID);
    expect(message.body).toContain('249.00 EUR');
    expect(message.body).toContain('3 items');
    expect(
      orderConfirmedMessage('Ada', {
        orderId: ORDER_ID,
        total: { amount: 100, currency: 'EUR' },
        itemCount: 1,
      }).body,
    ).toContain('for 1 item,');
  });

  it.each([
    ['card_declined', 'your card was declined'],
    ['insufficient_funds', 'insufficient funds'],
    ['out_of_stock', 'out of stock'],
    ['interrupted', 'interrupted'],
    ['reservation_expired', 'set aside for you were released'],
    ['deadline_passed', 'payment in time'],
    ['gremlins', 'unexpected problem (gremlins)'],
  ])('explains a failed order (%s) and that nothing was charged', (reason, words) => {
    const message = orderFailedMessage('Ada', { orderId: ORDER_ID, reason });
    expect(message.subject).toBe(`Your order ${ORDER_ID} could not be completed`);
    expect(message.body).toContain(ORDER_ID);
    expect(message.body).toContain(words);
    expect(message.body).toContain('not been charged');
  });

  it('confirms a cancellation with the refunded total', () => {
    const message = orderCancelledMessage('Ada', {
      orderId: ORDER_ID,
      total: { amount: 2400, currency: 'JPY' },
    });
    expect(message.subject).toBe(`Your order ${ORDER_ID} is cancelled`);
    expect(message.body).toContain('refunded 2400 JPY');
  });

  it('writes plain text bodies signed by the team', () => {
    for (const { body } of [
      welcomeMessage('Ada', 'ada@example.com'),
      orderFailedMessage('Ada', { orderId: ORDER_ID, reason: 'out_of_stock' }),
    ]) {
      expect(body).not.toMatch(/<[a-z]/i);
      expect(body.endsWith('The Seam team')).toBe(true);
    }
  });
});
