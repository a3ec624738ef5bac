// Helpers shared by the orders module's tests (not part of the module's surface):
// in-memory fakes of catalog, cart, inventory and payments built only from their
// contracts — so the saga can be driven into every branch, dependencies can be
// made to fail on cue — and a host running them with the real orders module.
import { randomUUID } from 'node:crypto';
import { cartContract, type Cart } from '@seam/cart-contract';
import type { Product } from '@seam/catalog-contract';
import { fakeCatalog } from '@seam/catalog-contract/testing';
import { inventoryContract, type Reservation } from '@seam/inventory-contract';
import { OrderCancelled, OrderConfirmed, OrderFailed, type Order } from '@seam/orders-contract';
import { paymentsContract, TEST_CARDS, type Payment } from '@seam/payments-contract';
import { AppError, defineModule, on, type EventEnvelope, type Money } from '@seam/platform';
import {
  eventually,
  NO_MIGRATIONS,
  readJson,
  startTestHostWithTokens,
  type TestHostOptions,
  type TestHostWithTokens,
  type TestUser,
} from '@seam/platform/testing';
import { expect } from 'vitest';
import type { CrashPoint } from './config.js';
import ordersModule from './index.js';
import { setupOrders, type Orders } from './setup.js';

/** SimulatedCrash stands for the process dying right after a saga step. */
export class SimulatedCrash extends Error {
  constructor(readonly point: CrashPoint) {
    super(`simulated crash after ${point}`);
  }
}

/**
 * Faults makes fake operations fail on cue: `fail('payments.charge', error)`
 * throws `error` from the next call (or the next `times` calls); `before` runs a
 * hook inside the next call, before the fake does its work.
 */
export class Faults {
  readonly #failures = new Map<string, { error: AppError; times: number }>();
  readonly #hooks = new Map<string, () => Promise<void>>();
  readonly calls: string[] = [];

  fail(operation: string, error: AppError, times = 1): void {
    this.#failures.set(operation, { error, times });
  }
  before(operation: string, hook: () => Promise<void>): void {
    this.#hooks.set(operation, hook);
  }
  clear(): void {
    this.#failures.clear();
    this.#hooks.clear();
    this.calls.length = 0;
  }
  async enter(operation: string): Promise<void> {
    this.calls.push(operation);
    const hook = this.#hooks.get(operation);
    if (hook) {
      this.#hooks.delete(operation);
      await hook();
    }
    const failure = this.#failures.get(operation);
    if (!failure) return;
    failure.times -= 1;
    if (failure.times <= 0) this.#failures.delete(operation);
    throw failure.error;
  }
  count(operation: string): number {
    return this.calls.filter((call) => call === operation).length;
  }
}

/** World is the fakes' shared state, inspected and arranged by tests. */
export class World {
  readonly faults = new Faults();
  readonly catalog = fakeCatalog();
  readonly products = this.catalog.products;
  readonly carts = new Map<string, { productId: string; quantity: number }[]>();
  readonly stock = new Map<string, { available: number; reserved: number }>();
  readonly reservations = new Map<string, Reservation>();
  readonly payments = new Map<string, Payment>();
  /** cardTokens: the fake vault — last four digits and the decline a token stands for. */
  readonly cardTokens = new Map<
    string,
    { userId: string; last4: string; declineReason: Payment['declineReason'] }
  >();
  readonly events: EventEnvelope[] = [];

  /** addProduct adds a catalog product with `available` units in stock. */
  addProduct(price: Money, available = 10, name = `Product ${this.products.size + 1}`): Product {
    const product = this.catalog.price(price, name);
    this.stock.set(product.id, { available, reserved: 0 });
    return product;
  }

  fillCart(userId: string, lines: { product: Product; quantity: number }[]): void {
    this.carts.set(
      userId,
      lines.map(({ product, quantity }) => ({ productId: product.id, quantity })),
    );
  }

  stockOf(product: Product) {
    return { ...this.stock.get(product.id)! };
  }

  eventsOf(type: string, orderId?: string): EventEnvelope[] {
    return this.events.filter(
      (e) =>
        e.type === type &&
        (orderId === undefined || (e.payload as { orderId: string }).orderId === orderId),
    );
  }
}

function fakeModules(world: World) {
  const { faults } = world;
  world.catalog.before = (operation) => faults.enter(`catalog.${operation}`);
  const catalog = world.catalog.module;

  // The fake cart prices with the price it was given when filled: stale on purpose.
  const cart = defineModule({
    contract: cartContract,
    migrationsFolder: NO_MIGRATIONS,
    consumes: [OrderConfirmed, OrderFailed, OrderCancelled],
    setup: () => ({
      operations: {
        getCart: async ({ userId }): Promise<Cart> => {
          await faults.enter('cart.getCart');
          const items = (world.carts.get(userId) ?? []).map((line) => {
            const unitPrice = { amount: 1, currency: 'EUR' };
            return {
              productId: line.productId,
              name: 'stale cart name',
              quantity: line.quantity,
              unitPrice,
              lineTotal: { amount: line.quantity, currency: 'EUR' },
            };
          });
          const amount = items.reduce((sum, item) => sum + item.lineTotal.amount, 0);
          return { items, total: items.length ? { amount, currency: 'EUR' } : null };
        },
      },
      handlers: [OrderConfirmed, OrderFailed, OrderCancelled].map((event) =>
        on(event, async (envelope) => {
          world.events.push(envelope);
        }),
      ),
      routes: () => {},
    }),
  });

  const reservationOf = (orderId: string) => {
    const reservation = world.reservations.get(orderId);
    if (!reservation) {
      throw AppError.notFound(
        `No reservation for order ${orderId}`,
        'inventory.reservation-not-found',
      );
    }
    return reservation;
  };
  const inventory = defineModule({
    contract: inventoryContract,
    migrationsFolder: NO_MIGRATIONS,
    setup: () => ({
      operations: {
        reserve: async ({ orderId, items }) => {
          await faults.enter('inventory.reserve');
          const existing = world.reservations.get(orderId);
          if (existing?.status === 'released') {
            throw AppError.conflict(
              'The reservation was released',
              'inventory.reservation-released',
            );
          }
          if (existing) return existing;
          const short = items.filter(
            (item) => (world.stock.get(item.productId)?.available ?? 0) < item.quantity,
          );
          if (short.length > 0) {
            throw new AppError({
              status: 409,
              code: 'inventory.insufficient-stock',
              detail: 'Not enough stock',
              errors: short.map((item) => ({ path: item.productId, message: 'short' })),
            });
          }
          for (const item of items) {
            const level = world.stock.get(item.productId)!;
            level.available -= item.quantity;
            level.reserved += item.quantity;
          }
          const reservation: Reservation = {
            orderId,
            status: 'reserved',
            items,
            expiresAt: new Date(Date.now() + 900_000).toISOString(),
          };
          world.reservations.set(orderId, reservation);
          return reservation;
        },
        commit: async ({ orderId }) => {
          await faults.enter('inventory.commit');
          const reservation = reservationOf(orderId);
          if (reservation.status === 'released') {
            throw AppError.conflict(
              'The reservation was released',
              'inventory.reservation-released',
            );
          }
          if (reservation.status === 'reserved') {
            for (const item of reservation.items)
              world.stock.get(item.productId)!.reserved -= item.quantity;
            reservation.status = 'committed';
          }
          return reservation;
        },
        release: async ({ orderId }) => {
          await faults.enter('inventory.release');
          const reservation = reservationOf(orderId);
          if (reservation.status !== 'released') {
            for (const item of reservation.items) {
              const level = world.stock.get(item.productId)!;
              level.available += item.quantity;
              if (reservation.status === 'reserved') level.reserved -= item.quantity;
            }
            reservation.status = 'released';
          }
          return reservation;
        },
        getStock: async ({ productIds }) => ({
          items: productIds.map((productId) => ({
            productId,
            ...(world.stock.get(productId) ?? { available: 0, reserved: 0 }),
          })),
        }),
      },
      routes: () => {},
    }),
  });

  const declineOf = (digits: string): Payment['declineReason'] =>
    digits === TEST_CARDS.declined.replace(/\D/g, '')
      ? 'card_declined'
      : digits === TEST_CARDS.insufficientFunds.replace(/\D/g, '')
        ? 'insufficient_funds'
        : null;
  const paymentOf = (orderId: string) => {
    const payment = world.payments.get(orderId);
    if (!payment) {
      throw AppError.notFound(`Order ${orderId} was never charged`, 'payments.payment-not-found');
    }
    return payment;
  };
  const payments = defineModule({
    contract: paymentsContract,
    migrationsFolder: NO_MIGRATIONS,
    setup: () => ({
      operations: {
        tokenizeCard: async ({ userId, card }) => {
          await faults.enter('payments.tokenizeCard');
          const token = randomUUID();
          const digits = card.number.replace(/\D/g, '');
          world.cardTokens.set(token, {
            userId,
            last4: digits.slice(-4),
            declineReason: declineOf(digits),
          });
          return { token, cardLast4: digits.slice(-4), expiresAt: new Date().toISOString() };
        },
        charge: async ({ orderId, userId, amount, card }) => {
          await faults.enter('payments.charge');
          const existing = world.payments.get(orderId);
          if (existing) return existing;
          const paid =
            'token' in card
              ? world.cardTokens.get(card.token)
              : {
                  last4: card.number.replace(/\D/g, '').slice(-4),
                  declineReason: declineOf(card.number.replace(/\D/g, '')),
                };
          if (!paid) {
            throw AppError.conflict('Unknown card token', 'payments.invalid-card-token');
          }
          const { declineReason } = paid;
          const payment: Payment = {
            id: randomUUID(),
            orderId,
            userId,
            amount,
            status: declineReason ? 'declined' : 'captured',
            declineReason,
            cardLast4: paid.last4,
            createdAt: new Date().toISOString(),
            refundedAt: null,
          };
          world.payments.set(orderId, payment);
          return payment;
        },
        refund: async ({ orderId }) => {
          await faults.enter('payments.refund');
          const payment = paymentOf(orderId);
          if (payment.status === 'declined') {
            throw AppError.conflict(
              'A declined payment cannot be refunded',
              'payments.not-refundable',
            );
          }
          if (payment.status === 'captured') {
            payment.status = 'refunded';
            payment.refundedAt = new Date().toISOString();
          }
          return payment;
        },
        getPayment: async ({ orderId }) => {
          await faults.enter('payments.getPayment');
          return paymentOf(orderId);
        },
      },
      routes: () => {},
    }),
  });
  return [catalog, cart, inventory, payments];
}

export interface OrdersTestHost extends TestHostWithTokens {
  world: World;
  /** orders is the running module's internals: `recover()` runs a recovery pass now. */
  orders: Orders;
  /** crashAt makes the saga "die" after that step (the request answers 503, state stays). */
  crashAt(point: CrashPoint | undefined): void;
  newShopper(role?: 'customer' | 'admin'): Promise<Shopper>;
  /** checkout posts to /api/orders with an Idempotency-Key (a fresh one unless given). */
  checkout(shopper: Shopper, body?: unknown, key?: string): Promise<Response>;
  /** call sends a request to /api/orders + path ('' is the list). */
  call(method: string, path: string, token?: string): Promise<Response>;
  /** recoverLater runs a recovery pass as if the saga timeout had passed. */
  recoverLater(): ReturnType<Orders['recover']>;
  /** waitForEvent waits until the fake cart received an event of that type for the order. */
  waitForEvent(type: string, orderId: string): Promise<EventEnvelope>;
}

export type Shopper = TestUser;

/** CHECKOUT is a valid checkout body with the success card. */
export const CHECKOUT = {
  paymentMethod: { card: TEST_CARDS.success },
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 Analytical Row',
    city: 'London',
    postalCode: 'N1 9GU',
    country: 'GB',
  },
};

/** withCard is the checkout body paying with another card. */
export function withCard(card: string) {
  return { ...CHECKOUT, paymentMethod: { card } };
}

/** startOrders runs the orders module with fake dependencies on a fresh database. */
export async function startOrders(
  options: Partial<Omit<TestHostOptions, 'modules' | 'jwks'>> = {},
): Promise<OrdersTestHost> {
  const world = new World();
  let crashPoint: CrashPoint | undefined;
  let orders: Orders | undefined;
  const ordersUnderTest = defineModule({
    ...ordersModule,
    setup: (context) => {
      orders = setupOrders(context, {
        crashAfter: (point) => {
          if (point === crashPoint) throw new SimulatedCrash(point);
        },
      });
      return orders;
    },
  });
  const t = await startTestHostWithTokens({
    ...options,
    modules: [...fakeModules(world), ordersUnderTest],
    env: { SEAM_EVENT_POLL_MS: '20', ...options.env },
  });
  const running = orders!;
  const sagaTimeoutMs = running.deps.sagaTimeoutMs;
  return {
    ...t,
    world,
    orders: running,
    crashAt: (point) => (crashPoint = point),
    newShopper: (role = 'customer') => t.signUser(role),
    checkout(shopper, body = CHECKOUT, key = randomUUID()) {
      return t.request('/api/orders', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${shopper.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify(body),
      });
    },
    call(method, path, token) {
      return t.request(`/api/orders${path}`, {
        method,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    },
    recoverLater: () => running.recover(new Date(Date.now() + sagaTimeoutMs + 1_000)),
    async waitForEvent(type, orderId) {
      return eventually(() => {
        const [event] = world.eventsOf(type, orderId);
        expect(event, `${type} for ${orderId}`).toBeDefined();
        return event!;
      });
    },
  };
}

/** readOrder reads a 2xx order answer, failing the test on anything else. */
export function readOrder(res: Response, status = 201): Promise<Order> {
  return readJson<Order>(res, status);
}

export { eventually, expectProblem, readJson } from '@seam/platform/testing';

/** unavailable is the error a dependency that cannot be reached gives. */
export function unavailable(module: string): AppError {
  return AppError.unavailable(`Module ${module} is unreachable`, 'module-unreachable');
}
