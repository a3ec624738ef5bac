// orders.OrderConfirmed, OrderFailed and OrderCancelled → a message to the
// buyer. The payload names the buyer only by id; the address comes from the
// users module (getUser), called in the handler's `prepare` step, before the
// inbox transaction opens. When that call fails the handler throws, nothing is
// recorded, and the bus delivers the event again later.
import { OrderCancelled, OrderConfirmed, OrderFailed } from '@seam/orders-contract';
import { on, type Clients, type EventHandler, type z } from '@seam/platform';
import { usersContract, type User } from '@seam/users-contract';
import {
  orderCancelledMessage,
  orderConfirmedMessage,
  orderFailedMessage,
  type Message,
} from './messages.js';
import { recordNotification, type NewNotification } from './notification-row.js';

type OrderEvent = typeof OrderConfirmed | typeof OrderFailed | typeof OrderCancelled;

/** orderUpdateHandlers builds the three order handlers around the users client. */
export function orderUpdateHandlers(clients: Clients): EventHandler[] {
  const users = clients.of(usersContract);
  const notifyBuyer = <E extends OrderEvent>(
    event: E,
    kind: NewNotification['kind'],
    compose: (name: string, order: z.output<E['payload']>) => Message,
  ) =>
    on(event, {
      prepare: (envelope): Promise<User> => users.getUser({ id: envelope.payload.userId }),
      handle: async ({ payload }, { tx, prepared: buyer }) => {
        await recordNotification(tx, {
          userId: buyer.id,
          kind,
          recipient: buyer.email,
          orderId: payload.orderId,
          ...compose(buyer.name, payload),
        });
      },
    });
  return [
    notifyBuyer(OrderConfirmed, 'order-confirmed', orderConfirmedMessage),
    notifyBuyer(OrderFailed, 'order-failed', orderFailedMessage),
    notifyBuyer(OrderCancelled, 'order-cancelled', orderCancelledMessage),
  ];
}
