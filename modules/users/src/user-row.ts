// Mapping between users.users rows and the contract's User.
import type { User } from '@seam/users-contract';
import type { UserRow } from './schema.js';

/** toUser is the public shape of a row: everything but the password hash. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
  };
}
