// GET /me: the user a verified access token belongs to.
import { AppError, type AuthUser, type Database } from '@seam/platform';
import type { User } from '@seam/users-contract';
import { findUser } from './get-user.js';

/**
 * currentUser reads the token's user afresh (so a changed role shows at once).
 * A valid token whose user no longer exists gets 401 `users.unknown-user`: the
 * credential no longer names anyone, and the client should sign in again.
 */
export async function currentUser(db: Database, caller: AuthUser): Promise<User> {
  const user = await findUser(db, caller.id);
  if (!user) {
    throw AppError.unauthorized(
      'The access token belongs to a user that no longer exists',
      'users.unknown-user',
    );
  }
  return user;
}
