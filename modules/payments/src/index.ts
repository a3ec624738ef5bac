// The payments module: a simulated card provider. This file only wires the use
// cases; each lives in its own file beside it. See docs/modules/payments.md.
import { fileURLToPath } from 'node:url';
import { paymentsContract } from '@seam/payments-contract';
import { defineModule } from '@seam/platform';
import { charge } from './charge.js';
import { getPayment, listPaymentsRoute } from './get-payment.js';
import { refund } from './refund.js';
import { tokenizeCard } from './tokenize-card.js';

/** The payments module definition; hosts list it among their modules. */
export default defineModule({
  contract: paymentsContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  setup: ({ db, log }) => ({
    operations: {
      tokenizeCard: (input) => tokenizeCard(db, input),
      charge: (input) => charge(db, log, input),
      refund: ({ orderId }) => refund(db, orderId),
      getPayment: ({ orderId }) => getPayment(db, orderId),
    },
    routes(app) {
      listPaymentsRoute(app, db);
    },
  }),
});
