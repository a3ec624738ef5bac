// A fake inventory for other modules' tests (import from '@seam/inventory-contract/testing'):
// stock levels and reservations in maps the test arranges and inspects, kept by the
// contract's rules (all-or-nothing reserve, idempotent per order, released stays
// released), and the switches every fake has (`unavailable`, `before`). Host it as
// a module (`fake.module`) or call it directly (`fake.client`).
import { AppError } from '@seam/platform';
import { fakeClient, fakeModule, fakeOperations, type ContractFake } from '@seam/platform/testing';
import { inventoryContract, type InventoryContract, type Reservation } from './index.js';

/** RESERVATION_TTL_MS is how far ahead a fake reservation's `expiresAt` lies (15 minutes). */
export const RESERVATION_TTL_MS = 900_000;

/** FakeStockLevel is one product's stock in the fake; tests may change it in place. */
export interface FakeStockLevel {
  available: number;
  reserved: number;
}

/** FakeInventory is the state and switches of one fake inventory. */
export interface FakeInventory extends ContractFake<InventoryContract> {
  /** stock holds each product's level by product id; a product without one has none. */
  readonly stock: Map<string, FakeStockLevel>;
  /** reservations holds each order's reservation by order id. */
  readonly reservations: Map<string, Reservation>;
  /** stockOf is a copy of a product's level ({ available: 0, reserved: 0 } when unknown). */
  stockOf(productId: string): FakeStockLevel;
}

/**
 * fakeInventory makes a fake inventory with no stock.
 *
 * @example
 * const inventory = fakeInventory();
 * inventory.stock.set(grinder.id, { available: 5, reserved: 0 });
 * const t = await startTestHost({ modules: [ordersModule, inventory.module, ...] });
 */
export function fakeInventory(): FakeInventory {
  const released = () =>
    AppError.conflict('The reservation was released', 'inventory.reservation-released');
  const reservationOf = (orderId: string) => {
    const reservation = fake.reservations.get(orderId);
    if (!reservation) {
      throw AppError.notFound(
        `No reservation for order ${orderId}`,
        'inventory.reservation-not-found',
      );
    }
    return reservation;
  };
  const levelOf = (productId: string) => {
    const level = fake.stock.get(productId) ?? { available: 0, reserved: 0 };
    fake.stock.set(productId, level);
    return level;
  };
  const { operations, calls } = fakeOperations(inventoryContract, () => fake, {
    async reserve({ orderId, items }) {
      const existing = fake.reservations.get(orderId);
      if (existing?.status === 'released') throw released();
      if (existing) return existing;
      const short = items.filter((item) => fake.stockOf(item.productId).available < item.quantity);
      if (short.length > 0) {
        throw new AppError({
          status: 409,
          code: 'inventory.insufficient-stock',
          detail: 'Not enough stock',
          errors: short.map((item) => ({ path: item.productId, message: 'short' })),
        });
      }
      for (const item of items) {
        const level = levelOf(item.productId);
        level.available -= item.quantity;
        level.reserved += item.quantity;
      }
      const reservation: Reservation = {
        orderId,
        status: 'reserved',
        items,
        expiresAt: new Date(Date.now() + RESERVATION_TTL_MS).toISOString(),
      };
      fake.reservations.set(orderId, reservation);
      return reservation;
    },
    async commit({ orderId }) {
      const reservation = reservationOf(orderId);
      if (reservation.status === 'released') throw released();
      if (reservation.status === 'reserved') {
        for (const item of reservation.items) levelOf(item.productId).reserved -= item.quantity;
        reservation.status = 'committed';
      }
      return reservation;
    },
    async release({ orderId }) {
      const reservation = reservationOf(orderId);
      if (reservation.status !== 'released') {
        for (const item of reservation.items) {
          const level = levelOf(item.productId);
          level.available += item.quantity;
          if (reservation.status === 'reserved') level.reserved -= item.quantity;
        }
        reservation.status = 'released';
      }
      return reservation;
    },
    async getStock({ productIds }) {
      return { items: productIds.map((productId) => ({ productId, ...fake.stockOf(productId) })) };
    },
  });
  const fake: FakeInventory = {
    stock: new Map(),
    reservations: new Map(),
    unavailable: false,
    calls,
    stockOf(productId) {
      const level = fake.stock.get(productId);
      return level ? { ...level } : { available: 0, reserved: 0 };
    },
    module: fakeModule(inventoryContract, { operations, routes() {} }),
    client: fakeClient<InventoryContract>(operations),
  };
  return fake;
}
