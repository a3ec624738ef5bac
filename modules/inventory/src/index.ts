// The inventory module: stock levels and the reservations checkout makes.
// See docs/modules/inventory.md.
import { fileURLToPath } from 'node:url';
import { inventoryContract } from '@seam/inventory-contract';
import { defineModule } from '@seam/platform';
import { inventoryConfig } from './config.js';
import { setupInventory } from './setup.js';

/** The inventory module definition; hosts list it among their modules. */
export default defineModule({
  contract: inventoryContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  config: inventoryConfig,
  setup: setupInventory,
});
