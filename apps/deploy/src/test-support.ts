// Shared by the deploy tests: the modules this build knows, and a scratch copy
// of the repository's topology files to break.
import { copyFile, cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cart from '@seam/cart';
import catalog from '@seam/catalog';
import inventory from '@seam/inventory';
import notifications from '@seam/notifications';
import orders from '@seam/orders';
import payments from '@seam/payments';
import { REPO_ROOT } from '@seam/platform/processes';
import users from '@seam/users';

/** KNOWN_MODULES are the module names of this build, as apps/server hosts them. */
export const KNOWN_MODULES = [users, catalog, inventory, cart, payments, orders, notifications].map(
  (module) => module.contract.name,
);

/** scratchRepository copies what the generator reads and writes to a temporary root tests may edit. */
export async function scratchRepository(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'seam-deploy-'));
  await cp(join(REPO_ROOT, 'topology'), join(root, 'topology'), { recursive: true });
  await cp(join(REPO_ROOT, 'docker'), join(root, 'docker'), { recursive: true });
  await copyFile(join(REPO_ROOT, '.prettierrc.json'), join(root, '.prettierrc.json'));
  return root;
}
