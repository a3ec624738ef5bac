// The first admin: created on start from SEAM_ADMIN_EMAIL / SEAM_ADMIN_PASSWORD.
import { eq } from 'drizzle-orm';
import type { Database, Events, Logger } from '@seam/platform';
import { insertUser } from './register.js';
import { users } from './schema.js';

export interface AdminAccount {
  email: string;
  password: string;
}

/**
 * bootstrapAdmin creates `admin` with the admin role when no user has that
 * email. An existing admin is left alone (its password is not reset). An
 * existing customer is NOT promoted: anyone could have registered that email
 * first, and promoting them would hand the shop to whoever did. It logs a
 * warning instead; promote the account by hand if it is really yours. A new
 * admin is announced with users.UserRegistered like any other account.
 */
export async function bootstrapAdmin(
  db: Database,
  events: Events,
  admin: AdminAccount,
  log: Logger,
): Promise<void> {
  const [existing] = await db
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(eq(users.email, admin.email))
    .limit(1);
  if (existing) {
    if (existing.role !== 'admin') {
      log.warn(
        { userId: existing.id, email: admin.email },
        'SEAM_ADMIN_EMAIL belongs to an existing customer; it was not promoted to admin',
      );
    }
    return;
  }
  const account = { email: admin.email, password: admin.password, name: 'Administrator' };
  // undefined: a replica starting at the same time created it first.
  const created = await insertUser(db, events, account, 'admin');
  if (created) log.info({ userId: created.id, email: created.email }, 'created the first admin');
}
