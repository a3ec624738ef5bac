// The payments module: a simulated card provider. See docs/modules/payments.md.
import { fileURLToPath } from 'node:url';
import { paymentsContract } from '@seam/payments-contract';
import { defineModule } from '@seam/platform';
import { setupPayments } from './setup.js';

/** The payments module definition; hosts list it among their modules. */
export default defineModule({
  contract: paymentsContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  setup: setupPayments,
});
