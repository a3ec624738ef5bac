// The card at checkout: swapped for a payments token before the order exists,
// so the order carries the token (never the number) and recovery can charge it.
import { TEST_CARDS } from '@seam/payments-contract';
import { AppError } from '@seam/platform';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { orders } from './schema.js';
import {
  CHECKOUT,
  expectProblem,
  readOrder,
  unavailable,
  useOrders,
  withCard,
} from './test-support.js';

const t = useOrders();

describe('the card token', () => {
  it('is what the order keeps and what pays for it', async () => {
    const shopper = await t.newShopper();
    t.world.fillCart(shopper.id, [
      { product: t.world.addProduct({ amount: 700, currency: 'EUR' }, 3), quantity: 1 },
    ]);
    const order = await readOrder(await t.checkout(shopper));
    const [row] = await t.host.database.db.select().from(orders).where(eq(orders.id, order.id));
    const token = row!.paymentToken!;
    expect(t.world.cardTokens.get(token)).toEqual({
      userId: shopper.id,
      last4: '4242',
      declineReason: null,
    });
    expect(t.world.payments.get(order.id)).toMatchObject({ status: 'captured', cardLast4: '4242' });
    expect(t.world.faults.calls.indexOf('payments.tokenizeCard')).toBeLessThan(
      t.world.faults.calls.indexOf('inventory.reserve'),
    );
  });

  it('is asked for before anything is ordered: payments down means 503 and no order', async () => {
    const shopper = await t.newShopper();
    const product = t.world.addProduct({ amount: 700, currency: 'EUR' }, 3);
    t.world.fillCart(shopper.id, [{ product, quantity: 1 }]);
    t.world.faults.fail('payments.tokenizeCard', unavailable('payments'));
    await expectProblem(
      await t.checkout(shopper, CHECKOUT, 'tok-1'),
      503,
      'orders.dependency-unavailable',
    );
    expect(t.world.stockOf(product)).toEqual({ available: 3, reserved: 0 });
    const rows = await t.host.database.db
      .select()
      .from(orders)
      .where(eq(orders.userId, shopper.id));
    expect(rows).toEqual([]);
    // The key was forgotten: the same request runs afresh.
    expect(await readOrder(await t.checkout(shopper, CHECKOUT, 'tok-1'))).toMatchObject({
      status: 'confirmed',
    });
  });

  it('answers 400 orders.invalid-card, stored for replays, when payments rejects the card', async () => {
    const shopper = await t.newShopper();
    t.world.fillCart(shopper.id, [
      { product: t.world.addProduct({ amount: 700, currency: 'EUR' }, 3), quantity: 1 },
    ]);
    t.world.faults.fail(
      'payments.tokenizeCard',
      new AppError({
        status: 400,
        code: 'payments.invalid-card',
        title: 'Invalid card',
        detail: 'The card number fails the Luhn check',
        errors: [
          { path: 'card.number', message: 'fails the Luhn check', code: 'invalid_checksum' },
        ],
      }),
    );
    const body = withCard('4242 4242 4242 4241');
    const problem = await expectProblem(
      await t.checkout(shopper, body, 'luhn-1'),
      400,
      'orders.invalid-card',
    );
    expect(problem.errors).toEqual([
      { path: 'paymentMethod.card', message: 'fails the Luhn check', code: 'invalid_checksum' },
    ]);
    const replay = await t.checkout(shopper, body, 'luhn-1');
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await expectProblem(replay, 400, 'orders.invalid-card');
    expect(t.world.faults.count('inventory.reserve')).toBe(0);
  });

  it('pays a declining card with its decline, through the token', async () => {
    const shopper = await t.newShopper();
    t.world.fillCart(shopper.id, [
      { product: t.world.addProduct({ amount: 700, currency: 'EUR' }, 3), quantity: 1 },
    ]);
    const order = await readOrder(
      await t.checkout(shopper, withCard(TEST_CARDS.insufficientFunds)),
    );
    expect(order).toMatchObject({ status: 'failed', failureReason: 'insufficient_funds' });
  });
});
