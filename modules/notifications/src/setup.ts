// Wiring: binds the notifications' event handlers and route to the contract.
import type { notificationsContract } from '@seam/notifications-contract';
import type { ModuleContext, ModuleImplementation, PlatformConfig } from '@seam/platform';
import { listNotificationsRoute } from './list-notifications.js';
import { orderUpdateHandlers } from './order-updates.js';
import { welcomeOnUserRegistered } from './welcome.js';

/** setupNotifications implements notificationsContract; the host calls it once per process. */
export function setupNotifications({
  db,
  clients,
}: ModuleContext<PlatformConfig>): ModuleImplementation<typeof notificationsContract> {
  return {
    operations: {},
    handlers: [welcomeOnUserRegistered, ...orderUpdateHandlers(clients)],
    routes(app) {
      listNotificationsRoute(app, db);
    },
  };
}
