// Reading payments: the getPayment operation and GET /?orderId= for the
// order's owner or an admin.
import { AppError, type Database, type ModuleApp } from '@seam/platform';
import { paymentsContract, type Payment } from '@seam/payments-contract';
import { findPayment, paymentNotFound, toPayment } from './payment-row.js';

/** getPayment returns the payment of an order; none is a 404 `payments.payment-not-found`. */
export async function getPayment(db: Database, orderId: string): Promise<Payment> {
  const row = await findPayment(db, orderId);
  if (!row) throw paymentNotFound(orderId);
  return toPayment(row);
}

/**
 * listPaymentsRoute registers GET / (`/api/payments?orderId=`). Only the
 * payment's user and admins see it; anyone else gets the same 404 as for an
 * order without a payment, so the answer does not reveal that it exists.
 */
export function listPaymentsRoute(app: ModuleApp, db: Database): void {
  app.openapi(paymentsContract.routes.listPayments, async (c) => {
    const caller = c.get('user');
    if (!caller) throw AppError.unauthorized('This operation needs a bearer access token');
    const { orderId } = c.req.valid('query');
    const row = await findPayment(db, orderId);
    if (!row || (caller.role !== 'admin' && row.userId !== caller.id)) {
      throw paymentNotFound(orderId);
    }
    return c.json({ items: [toPayment(row)] }, 200);
  });
}
