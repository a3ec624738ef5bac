// Helpers shared by the orders module's tests (not part of the module's surface):
// the real orders module hosted with the contracts' fakes of catalog, cart,
// inventory and payments — glued into one World that tests arrange and inspect,
// with Faults to make any of their operations fail or wait on cue, so the saga
// can be driven into every branch — and useOrders(), one such host per test file.
import { randomUUID } from 'node:crypto';
import { fakeCart } from '@seam/cart-contract/testing';
import type { Product } from '@seam/catalog-contract';
import { fakeCatalog } from '@seam/catalog-contract/testing';
import { fakeInventory } from '@seam/inventory-contract/testing';
import { TEST_ADDRESS } from '@seam/orders-contract/testing';
import { OrderCancelled, OrderConfirmed, OrderFailed, type Order } from '@seam/orders-contract';
import { TEST_CARDS } from '@seam/payments-contract';
import { fakePayments } from '@seam/payments-contract/testing';
import { AppError, defineModule, type EventEnvelope, type Money } from '@seam/platform';
import {
  eventually,
  readJson,
  startTestHostWithTokens,
  type TestHostOptions,
  type TestHostWithTokens,
  type TestUser,
} from '@seam/platform/testing';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
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
 * hook inside the next call, before the fake does its work. It is every fake's
 * `before` hook (World wires it), and `calls` logs all their calls in order.
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
  readonly fakes = {
    catalog: fakeCatalog(),
    // The fake cart prices every line stale on purpose (checkout must price from the
    // catalog) and records the three order events (waitForEvent reads them).
    cart: fakeCart({ consumes: [OrderConfirmed, OrderFailed, OrderCancelled] }),
    inventory: fakeInventory(),
    payments: fakePayments(),
  };
  readonly products = this.fakes.catalog.products;
  readonly stock = this.fakes.inventory.stock;
  readonly reservations = this.fakes.inventory.reservations;
  readonly payments = this.fakes.payments.payments;
  /** cardTokens: the fake vault — last four digits and the decline a token stands for. */
  readonly cardTokens = this.fakes.payments.cardTokens;

  constructor() {
    for (const [name, fake] of Object.entries(this.fakes)) {
      fake.before = (operation: string) => this.faults.enter(`${name}.${operation}`);
    }
  }

  /** modules hosts the fakes in place of the modules orders calls. */
  get modules() {
    return Object.values(this.fakes).map((fake) => fake.module);
  }

  /** addProduct adds a catalog product with `available` units in stock. */
  addProduct(price: Money, available = 10, name = `Product ${this.products.size + 1}`): Product {
    const product = this.fakes.catalog.price(price, name);
    this.stock.set(product.id, { available, reserved: 0 });
    return product;
  }

  fillCart(userId: string, lines: { product: Product; quantity: number }[]): void {
    this.fakes.cart.fill(
      userId,
      lines.map(({ product, quantity }) => ({ productId: product.id, quantity })),
    );
  }

  stockOf(product: Product) {
    return this.fakes.inventory.stockOf(product.id);
  }

  eventsOf(type: string, orderId?: string): EventEnvelope[] {
    return this.fakes.cart.events.filter(
      (e) =>
        e.type === type &&
        (orderId === undefined || (e.payload as { orderId: string }).orderId === orderId),
    );
  }
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
  shippingAddress: TEST_ADDRESS,
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
    modules: [...world.modules, ordersUnderTest],
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

/**
 * useOrders starts one orders host for the test file (beforeAll) and closes it
 * (afterAll); before each test it clears the faults and the crash point. The
 * host it returns is filled in once started: use it inside hooks and tests.
 *
 * @example
 * const t = useOrders();
 * it('confirms the order', async () => { await t.checkout(await t.newShopper()); });
 */
export function useOrders(options: Parameters<typeof startOrders>[0] = {}): OrdersTestHost {
  const t = {} as OrdersTestHost;
  beforeAll(async () => {
    Object.assign(t, await startOrders(options));
  });
  afterAll(() => t.close?.());
  beforeEach(() => {
    t.world.faults.clear();
    t.crashAt(undefined);
  });
  return t;
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
