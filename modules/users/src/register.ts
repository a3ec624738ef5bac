// POST /register: a new customer account, announced as users.UserRegistered.
import { AppError, type Database, type Events, type Role } from '@seam/platform';
import { UserRegistered, type RegisterRequest, type User } from '@seam/users-contract';
import { toUser } from './user-row.js';
import { hashPassword } from './password.js';
import { users } from './schema.js';

/**
 * registerUser creates an account; a taken email fails with 409
 * `users.email-taken`. The unique index decides, so concurrent sign-ups with
 * one email cannot both succeed.
 *
 * @example
 * const user = await registerUser(db, events, { email: 'ada@example.com', password: '…', name: 'Ada' });
 */
export async function registerUser(
  db: Database,
  events: Events,
  input: RegisterRequest,
  role: Role = 'customer',
): Promise<User> {
  const created = await insertUser(db, events, input, role);
  if (!created)
    throw AppError.conflict('A user with this email already exists', 'users.email-taken');
  return created;
}

/**
 * insertUser inserts unless the email is taken, and returns undefined then. The
 * row and its UserRegistered event commit together, so every account is
 * announced exactly once and a refused one never is.
 */
export async function insertUser(
  db: Database,
  events: Events,
  input: RegisterRequest,
  role: Role,
): Promise<User | undefined> {
  // Hashed before the transaction: scrypt takes ~100 ms and holds no lock.
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({ email: input.email, name: input.name, passwordHash, role })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (!row) return undefined;
    const user = toUser(row);
    await events.publish(tx, UserRegistered, {
      userId: user.id,
      email: user.email,
      name: user.name,
    });
    return user;
  });
}
