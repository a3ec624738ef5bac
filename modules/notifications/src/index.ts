// The notifications module: records the emails Seam would send — a welcome,
// and news of every order. See docs/modules/notifications.md.
import { fileURLToPath } from 'node:url';
import { notificationsContract } from '@seam/notifications-contract';
import { OrderCancelled, OrderConfirmed, OrderFailed } from '@seam/orders-contract';
import { defineModule } from '@seam/platform';
import { UserRegistered } from '@seam/users-contract';
import { setupNotifications } from './setup.js';

/** The notifications module definition; hosts list it among their modules. */
export default defineModule({
  contract: notificationsContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  consumes: [UserRegistered, OrderConfirmed, OrderFailed, OrderCancelled],
  setup: setupNotifications,
});
