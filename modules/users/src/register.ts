// POST /register: a new customer account.
import { AppError, type Database, type Role } from '@seam/platform';
import type { RegisterRequest, User } from '@seam/users-contract';
import { toUser } from './get-user.js';
import { hashPassword } from './password.js';
import { users } from './schema.js';

/**
 * registerUser creates an account; a taken email fails with 409
 * `users.email-taken`. The unique index decides, so concurrent sign-ups with
 * one email cannot both succeed.
 *
 * @example
 * const user = await registerUser(db, { email: 'ada@example.com', password: '…', name: 'Ada' });
 */
export async function registerUser(
  db: Database,
  input: RegisterRequest,
  role: Role = 'customer',
): Promise<User> {
  const created = await insertUser(db, input, role);
  if (!created)
    throw AppError.conflict('A user with this email already exists', 'users.email-taken');
  return created;
}

/** insertUser inserts unless the email is taken, and returns undefined then. */
export async function insertUser(
  db: Database,
  input: RegisterRequest,
  role: Role,
): Promise<User | undefined> {
  const passwordHash = await hashPassword(input.password);
  const [row] = await db
    .insert(users)
    .values({ email: input.email, name: input.name, passwordHash, role })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return row ? toUser(row) : undefined;
}
