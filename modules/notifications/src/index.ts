// The notifications module: records the emails Seam would send — a welcome,
// and news of every order. This file only wires the handlers and the route;
// each lives in its own file beside it. See docs/modules/notifications.md.
import { fileURLToPath } from 'node:url';
import { notificationsContract } from '@seam/notifications-contract';
import { OrderCancelled, OrderConfirmed, OrderFailed } from '@seam/orders-contract';
import { defineModule } from '@seam/platform';
import { UserRegistered } from '@seam/users-contract';
import { listNotificationsRoute } from './list-notifications.js';
import { orderUpdateHandlers } from './order-updates.js';
import { welcomeOnUserRegistered } from './welcome.js';

/** The notifications module definition; hosts list it among their modules. */
export default defineModule({
  contract: notificationsContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  consumes: [UserRegistered, OrderConfirmed, OrderFailed, OrderCancelled],
  setup: ({ db, clients }) => ({
    operations: {},
    handlers: [welcomeOnUserRegistered, ...orderUpdateHandlers(clients)],
    routes(app) {
      listNotificationsRoute(app, db);
    },
  }),
});
