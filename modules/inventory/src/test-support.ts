// Helpers shared by the inventory's tests: a host running only the inventory,
// with admin and customer tokens, its typed client, and shortcuts to set and
// read stock and to prove that a rejected call changed nothing.
import { randomUUID } from 'node:crypto';
import { inventoryContract, type Stock } from '@seam/inventory-contract';
import { AppError, type Database, type ModuleClient, type Problem } from '@seam/platform';
import {
  jsonRequest,
  startTestHostWithTokens,
  type TestHostOptions,
  type TestHostWithTokens,
} from '@seam/platform/testing';
import { asc } from 'drizzle-orm';
import { expect } from 'vitest';
import inventoryModule from './index.js';
import { reservationItems, reservations, stock } from './schema.js';

export interface InventoryTestHost extends TestHostWithTokens {
  db: Database;
  /** inventory is the host's typed client (in-process). */
  inventory: ModuleClient<typeof inventoryContract>;
  /** call sends a JSON request (body and token optional) to /api/inventory + path. */
  call(method: string, path: string, body?: unknown, token?: string): Promise<Response>;
  /** product makes a fresh product id with `available` units in stock. */
  product(available: number): Promise<string>;
  /** stockOf reads one product's stock through the getStock operation. */
  stockOf(productId: string): Promise<Stock>;
  /** snapshot reads every inventory row, to prove a rejected call changed nothing. */
  snapshot(): Promise<unknown>;
}

/** startInventory starts a host with only the inventory module on a fresh database. */
export async function startInventory(
  options: Partial<Omit<TestHostOptions, 'modules' | 'jwks'>> = {},
): Promise<InventoryTestHost> {
  const t = await startTestHostWithTokens({ ...options, modules: [inventoryModule] });
  const db = t.host.database.db;
  const inventory = t.host.clients.of(inventoryContract);
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    t.request(`/api/inventory${path}`, jsonRequest(method, body, token));
  return {
    ...t,
    db,
    inventory,
    call,
    async product(available) {
      const productId = randomUUID();
      const res = await call('PUT', `/stock/${productId}`, { available }, t.adminToken);
      expect(res.status, await res.clone().text()).toBe(200);
      return productId;
    },
    async stockOf(productId) {
      const { items } = await inventory.getStock({ productIds: [productId] });
      return items[0]!;
    },
    async snapshot() {
      return {
        stock: await db.select().from(stock).orderBy(asc(stock.productId)),
        reservations: await db.select().from(reservations).orderBy(asc(reservations.orderId)),
        items: await db
          .select()
          .from(reservationItems)
          .orderBy(asc(reservationItems.orderId), asc(reservationItems.productId)),
      };
    },
  };
}

/** Settled is a call's value or the problem form of the AppError it threw. */
export type Settled<T> = { ok: true; value: T } | { ok: false; problem: Problem };

/** settle runs a call and returns its value or its error's problem form. */
export async function settle<T>(call: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await call };
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { ok: false, problem: (error as AppError).toProblem() };
  }
}

export { expectProblem, rejectedProblem } from '@seam/platform/testing';
