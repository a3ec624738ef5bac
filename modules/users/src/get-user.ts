// Reading users by id, for the getUser operation and for GET /me.
import { eq } from 'drizzle-orm';
import { AppError, type Database } from '@seam/platform';
import type { User } from '@seam/users-contract';
import { users } from './schema.js';
import { toUser } from './user-row.js';

/** findUser returns the user with `id`, or undefined. */
export async function findUser(db: Database, id: string): Promise<User | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return row ? toUser(row) : undefined;
}

/**
 * getUser returns the user with `id` or fails with 404 `users.user-not-found`.
 *
 * @example
 * const user = await getUser(db, '0b0e4a5c-6f1d-4c43-9a55-8d2f7a1c3e10');
 */
export async function getUser(db: Database, id: string): Promise<User> {
  const user = await findUser(db, id);
  if (!user) throw AppError.notFound(`User ${id} does not exist`, 'users.user-not-found');
  return user;
}
