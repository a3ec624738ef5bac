// The catalog module: products and prices. See docs/modules/catalog.md.
import { fileURLToPath } from 'node:url';
import { catalogContract } from '@seam/catalog-contract';
import { defineModule } from '@seam/platform';
import { setupCatalog } from './setup.js';

/** The catalog module definition; hosts list it among their modules. */
export default defineModule({
  contract: catalogContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  setup: setupCatalog,
});
