// Wiring: builds the inventory's use cases from its context and binds them to
// the contract's operations and routes; start and stop run the expiry sweeper
// and the background demo-stock seed.
import { catalogContract } from '@seam/catalog-contract';
import { inventoryContract } from '@seam/inventory-contract';
import type { ModuleContext, ModuleImplementation } from '@seam/platform';
import { commit } from './commit.js';
import { sweepIntervalMs, type InventoryConfig } from './config.js';
import { startDemoStockSeed } from './demo-stock.js';
import { startSweeper, type Sweeper } from './expire-reservations.js';
import { release } from './release.js';
import { reserve } from './reserve.js';
import { getStock, stockRoutes } from './stock.js';

/** setupInventory implements inventoryContract; the host calls it once per process. */
export function setupInventory(
  context: ModuleContext<InventoryConfig>,
): ModuleImplementation<typeof inventoryContract> {
  const { db, config, log, clients } = context;
  const ttlSeconds = config.SEAM_RESERVATION_TTL_SECONDS;
  const catalog = clients.of(catalogContract);
  let sweeper: Sweeper | undefined;
  let seed: { stop(): Promise<void> } | undefined;

  return {
    operations: {
      reserve: (input) => reserve(db, input, ttlSeconds),
      commit: ({ orderId }) => commit(db, orderId),
      release: ({ orderId }) => release(db, orderId),
      getStock: async ({ productIds }) => ({ items: await getStock(db, productIds) }),
    },
    routes(app) {
      stockRoutes(app, db);
    },
    async start() {
      sweeper = startSweeper(db, log, sweepIntervalMs(ttlSeconds));
      if (config.SEAM_DEMO_DATA) {
        seed = startDemoStockSeed(db, (query) => catalog.listProducts(query), log);
      }
    },
    async stop() {
      await seed?.stop();
      await sweeper?.stop();
    },
  };
}
