// The users module: accounts, sign-in and the token signing keys.
// See docs/modules/users.md.
import { fileURLToPath } from 'node:url';
import { defineModule } from '@seam/platform';
import { usersContract } from '@seam/users-contract';
import { usersConfig } from './config.js';
import { setupUsers } from './setup.js';

/** The users module definition; hosts list it in their modules. */
export default defineModule({
  contract: usersContract,
  migrationsFolder: fileURLToPath(new URL('../migrations', import.meta.url)),
  config: usersConfig,
  setup: setupUsers,
});
