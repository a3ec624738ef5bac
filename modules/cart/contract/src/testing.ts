// A fake cart for other modules' tests (import from '@seam/cart-contract/testing'):
// carts in a map the test fills, priced stale on purpose, the switches every fake
// has (`unavailable`, `before`), and a record of the events it consumed. Host it
// as a module (`fake.module`) or call it directly (`fake.client`).
import { on, type EventDefinition, type EventEnvelope, type Money } from '@seam/platform';
import { fakeClient, fakeModule, fakeOperations, type ContractFake } from '@seam/platform/testing';
import { cartContract, type Cart, type CartContract } from './index.js';

/** FakeCartLine is a stored cart line: a product and how many of it. */
export interface FakeCartLine {
  productId: string;
  quantity: number;
}

/**
 * STALE_UNIT_PRICE and STALE_NAME are what the fake cart answers for every line,
 * whatever the catalog says: a caller that must price from the catalog (orders,
 * at checkout) shows it does not trust the cart's prices.
 */
export const STALE_UNIT_PRICE: Readonly<Money> = { amount: 1, currency: 'EUR' };
export const STALE_NAME = 'stale cart name';

/** FakeCart is the state and switches of one fake cart. */
export interface FakeCart extends ContractFake<CartContract> {
  /** carts holds each user's lines by user id; a user without an entry has an empty cart. */
  readonly carts: Map<string, FakeCartLine[]>;
  /** events is every event the fake consumed, in the order they arrived. */
  readonly events: EventEnvelope[];
  /** fill replaces a user's cart with these lines. */
  fill(userId: string, lines: FakeCartLine[]): void;
}

/**
 * fakeCart makes a fake cart with no carts. It records the events in `consumes`
 * (a contract may import only the platform, so the events the real cart consumes
 * — the orders' — are the caller's to give).
 *
 * @example
 * const cart = fakeCart({ consumes: [OrderConfirmed] });
 * const t = await startTestHost({ modules: [ordersModule, cart.module, ...] });
 * cart.fill(shopper.id, [{ productId: grinder.id, quantity: 1 }]);
 */
export function fakeCart({
  consumes = [],
}: { consumes?: readonly EventDefinition[] } = {}): FakeCart {
  const { operations, calls } = fakeOperations(cartContract, () => fake, {
    async getCart({ userId }): Promise<Cart> {
      const items = (fake.carts.get(userId) ?? []).map(({ productId, quantity }) => ({
        productId,
        name: STALE_NAME,
        quantity,
        unitPrice: { ...STALE_UNIT_PRICE },
        lineTotal: { ...STALE_UNIT_PRICE, amount: STALE_UNIT_PRICE.amount * quantity },
      }));
      const amount = items.reduce((sum, item) => sum + item.lineTotal.amount, 0);
      return { items, total: items.length ? { ...STALE_UNIT_PRICE, amount } : null };
    },
  });
  const handlers = consumes.map((event) =>
    on(event, async (envelope) => {
      fake.events.push(envelope);
    }),
  );
  const fake: FakeCart = {
    carts: new Map(),
    events: [],
    unavailable: false,
    calls,
    fill(userId, lines) {
      fake.carts.set(
        userId,
        lines.map(({ productId, quantity }) => ({ productId, quantity })),
      );
    },
    module: fakeModule(cartContract, { operations, handlers, routes() {} }, consumes),
    client: fakeClient<CartContract>(operations),
  };
  return fake;
}
