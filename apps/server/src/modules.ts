// The modules this build knows. SEAM_MODULES picks which of them a process hosts.
import catalog from '@seam/catalog';
import type { HostOptions } from '@seam/platform';
import users from '@seam/users';
import { usersContract } from '@seam/users-contract';

export const modules = [users, catalog];

/** jwks reaches the users module's signing keys, in-process or remote. */
export const jwks: NonNullable<HostOptions['jwks']> = (clients) =>
  clients.of(usersContract).getJwks({});
