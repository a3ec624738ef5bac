// The text of every message: subjects and plain-text bodies, composed from an
// event's payload and the recipient's name. Pure functions, no I/O.
import type { Money } from '@seam/platform';

/** Message is what a notification says. */
export interface Message {
  subject: string;
  body: string;
}

const SIGNATURE = '\n\nThe Seam team';

/**
 * formatMoney renders integer minor units in the currency's own precision:
 * `{ amount: 24900, currency: 'EUR' }` → `249.00 EUR`, `{ amount: 2400,
 * currency: 'JPY' }` → `2400 JPY`. String arithmetic, so any safe integer is exact.
 */
export function formatMoney(money: Money): string {
  const digits = minorDigits(money.currency);
  if (digits === 0) return `${money.amount} ${money.currency}`;
  const padded = String(money.amount).padStart(digits + 1, '0');
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)} ${money.currency}`;
}

/** minorDigits is the ISO 4217 exponent of a currency (2 when Intl does not know it). */
function minorDigits(currency: string): number {
  try {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    return format.resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** welcomeMessage greets a new account. */
export function welcomeMessage(name: string, email: string): Message {
  return {
    subject: `Welcome to Seam, ${name}!`,
    body:
      `Hi ${name},\n\n` +
      `Welcome to Seam! Your account for ${email} is ready. ` +
      'Browse the catalog, fill your cart and check out whenever you like.\n\n' +
      'Happy shopping!' +
      SIGNATURE,
  };
}

/** orderConfirmedMessage thanks for a paid order. */
export function orderConfirmedMessage(
  name: string,
  order: { orderId: string; total: Money; itemCount: number },
): Message {
  const items = order.itemCount === 1 ? '1 item' : `${order.itemCount} items`;
  return {
    subject: `Your order ${order.orderId} is confirmed`,
    body:
      `Hi ${name},\n\n` +
      `Thank you for your order ${order.orderId}! ` +
      `We received your payment of ${formatMoney(order.total)} for ${items}, ` +
      'and we are getting everything ready for you.' +
      SIGNATURE,
  };
}

/** FAILURE_REASONS explains the failure reasons orders reports, in the shopper's words. */
const FAILURE_REASONS: Record<string, string> = {
  card_declined: 'your card was declined',
  insufficient_funds: 'your card has insufficient funds',
  out_of_stock: 'an item in your order is out of stock',
  reservation_expired: 'the items set aside for you were released before the order could finish',
  deadline_passed: 'we could not complete the payment in time',
  interrupted: 'the checkout was interrupted before it could finish',
};

/** orderFailedMessage explains why an order could not be completed. */
export function orderFailedMessage(
  name: string,
  order: { orderId: string; reason: string },
): Message {
  const reason = FAILURE_REASONS[order.reason] ?? `of an unexpected problem (${order.reason})`;
  return {
    subject: `Your order ${order.orderId} could not be completed`,
    body:
      `Hi ${name},\n\n` +
      `We are sorry: your order ${order.orderId} could not be completed because ${reason}. ` +
      'You have not been charged and nothing is reserved for you. ' +
      'Your cart is still there if you would like to try again.' +
      SIGNATURE,
  };
}

/** orderCancelledMessage confirms a cancellation and its refund. */
export function orderCancelledMessage(
  name: string,
  order: { orderId: string; total: Money },
): Message {
  return {
    subject: `Your order ${order.orderId} is cancelled`,
    body:
      `Hi ${name},\n\n` +
      `Your order ${order.orderId} has been cancelled as you asked. ` +
      `We refunded ${formatMoney(order.total)} to your card; ` +
      'depending on your bank it may take a few days to show.' +
      SIGNATURE,
  };
}
