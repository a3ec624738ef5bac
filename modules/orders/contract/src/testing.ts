// A fake orders module for other modules' tests (import from '@seam/orders-contract/testing'):
// orders in a map the test arranges for getOrder, a way to publish the orders'
// events through the fake's own outbox (as the saga would), and the switches every
// fake has (`unavailable`, `before`, `calls`). Host it as a module (`fake.module`)
// or call it directly (`fake.client`; publishing needs the module hosted).
import { randomUUID } from 'node:crypto';
import { AppError, type Database, type EventEnvelope, type Events, type z } from '@seam/platform';
import { fakeClient, fakeModule, fakeOperations, type ContractFake } from '@seam/platform/testing';
import {
  ordersContract,
  type OrderCancelled,
  type OrderConfirmed,
  type OrderFailed,
  type Order,
  type OrdersContract,
} from './index.js';

/** OrderEvent is any event the orders module publishes. */
/** TEST_ADDRESS is a valid shipping address. */
export const TEST_ADDRESS = {
  name: 'Ada Lovelace',
  line1: '12 Analytical Row',
  city: 'London',
  postalCode: 'N1 9GU',
  country: 'GB',
};

export type OrderEvent = typeof OrderConfirmed | typeof OrderFailed | typeof OrderCancelled;

/** testOrder is a valid confirmed order of one line with fresh ids; `overrides` win. */
export function testOrder(overrides: Partial<Order> = {}): Order {
  const now = new Date(0).toISOString();
  const price = { amount: 1000, currency: 'EUR' };
  return {
    id: randomUUID(),
    userId: randomUUID(),
    status: 'confirmed',
    items: [
      {
        productId: randomUUID(),
        name: 'Fake product',
        quantity: 1,
        unitPrice: price,
        lineTotal: price,
      },
    ],
    total: price,
    shippingAddress: TEST_ADDRESS,
    failureReason: null,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** FakeOrders is the state and switches of one fake orders module. */
export interface FakeOrders extends ContractFake<OrdersContract> {
  /** orders holds the orders getOrder knows, by id. */
  readonly orders: Map<string, Order>;
  /** add puts an order (testOrder() when omitted) in the fake and returns it. */
  add(order?: Order): Order;
  /**
   * publish writes an orders event to the hosted fake's outbox in its own
   * transaction, so the host delivers it to consumers as it would the saga's.
   */
  publish<E extends OrderEvent>(event: E, payload: z.input<E['payload']>): Promise<EventEnvelope>;
}

/**
 * fakeOrders makes a fake orders module with no orders.
 *
 * @example
 * const orders = fakeOrders();
 * const t = await startTestHostWithTokens({ modules: [notificationsModule, orders.module] });
 * await orders.publish(OrderFailed, { orderId, userId, reason: 'card_declined' });
 */
export function fakeOrders(): FakeOrders {
  let hosted: { db: Database; events: Events } | undefined;
  const { operations, calls } = fakeOperations(ordersContract, () => fake, {
    async getOrder({ id }) {
      const order = fake.orders.get(id);
      if (!order) throw AppError.notFound(`Order ${id} does not exist`, 'orders.order-not-found');
      return order;
    },
  });
  const fake: FakeOrders = {
    orders: new Map(),
    unavailable: false,
    calls,
    add(order = testOrder()) {
      fake.orders.set(order.id, order);
      return order;
    },
    async publish(event, payload) {
      if (!hosted) throw new Error('The fake orders module is not hosted: start a host with it');
      const { db, events } = hosted;
      return db.transaction((tx) => events.publish(tx as unknown as Database, event, payload));
    },
    module: fakeModule(ordersContract, ({ db, events }) => {
      hosted = { db, events };
      return { operations, routes() {} };
    }),
    client: fakeClient<OrdersContract>(operations),
  };
  return fake;
}
