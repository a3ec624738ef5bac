// The modules this build knows, in start order. SEAM_MODULES picks which of
// them a process hosts.
import cart from '@seam/cart';
import catalog from '@seam/catalog';
import inventory from '@seam/inventory';
import notifications from '@seam/notifications';
import orders from '@seam/orders';
import payments from '@seam/payments';
import type { HostOptions } from '@seam/platform';
import users from '@seam/users';
import { usersContract } from '@seam/users-contract';

export const modules = [users, catalog, inventory, cart, payments, orders, notifications];

/** jwks reaches the users module's signing keys, in-process or remote. */
export const jwks: NonNullable<HostOptions['jwks']> = (clients) =>
  clients.of(usersContract).getJwks({});
