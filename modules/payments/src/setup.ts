// Wiring: binds the payments' use cases to the contract's operations and route.
import type { paymentsContract } from '@seam/payments-contract';
import type { ModuleContext, ModuleImplementation, PlatformConfig } from '@seam/platform';
import { charge } from './charge.js';
import { getPayment, listPaymentsRoute } from './get-payment.js';
import { refund } from './refund.js';
import { tokenizeCard } from './tokenize-card.js';

/** setupPayments implements paymentsContract; the host calls it once per process. */
export function setupPayments({
  db,
  log,
}: ModuleContext<PlatformConfig>): ModuleImplementation<typeof paymentsContract> {
  return {
    operations: {
      tokenizeCard: (input) => tokenizeCard(db, input),
      charge: (input) => charge(db, log, input),
      refund: ({ orderId }) => refund(db, orderId),
      getPayment: ({ orderId }) => getPayment(db, orderId),
    },
    routes(app) {
      listPaymentsRoute(app, db);
    },
  };
}
