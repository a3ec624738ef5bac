// The user a cart route acts for: always the token's own user.
import { AppError, z, type AuthUser } from '@seam/platform';

const UserIdSchema = z.uuid();

/**
 * callerId returns the id of the signed-in user. requireAuth has already
 * rejected requests without one; a token whose subject is not a user id (never
 * issued by the users module) is refused rather than reaching the database.
 */
export function callerId(user: AuthUser | undefined): string {
  if (!user) throw AppError.unauthorized('This operation needs a bearer access token');
  if (!UserIdSchema.safeParse(user.id).success) {
    throw AppError.unauthorized('The access token does not name a user account', 'invalid-token');
  }
  return user.id;
}
