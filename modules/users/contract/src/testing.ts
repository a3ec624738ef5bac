// A fake users module for other modules' tests (import from '@seam/users-contract/testing'):
// users in a map the test arranges, the JWKS getJwks answers, and the switches every
// fake has (`unavailable`, `before`, `calls`). Host it as a module (`fake.module`)
// or call it directly (`fake.client`). Tokens for tests come from the platform's
// createTestTokens(), not from this fake.
import { randomUUID } from 'node:crypto';
import { AppError } from '@seam/platform';
import { fakeClient, fakeModule, fakeOperations, type ContractFake } from '@seam/platform/testing';
import { usersContract, type Jwks, type User, type UsersContract } from './index.js';

let sequence = 0;

/** testUser is a valid customer with a fresh id and email; `overrides` win. */
export function testUser(overrides: Partial<User> = {}): User {
  sequence += 1;
  return {
    id: randomUUID(),
    email: `fake-user-${sequence}@example.com`,
    name: `Fake user ${sequence}`,
    role: 'customer',
    createdAt: new Date(0).toISOString(),
    ...overrides,
  };
}

/** FakeUsers is the state and switches of one fake users module. */
export interface FakeUsers extends ContractFake<UsersContract> {
  /** users holds the accounts getUser knows, by id. */
  readonly users: Map<string, User>;
  /** jwks is what getJwks answers (no keys unless the test puts some). */
  jwks: Jwks;
  /** add puts a user (testUser() when omitted) in the fake and returns it. */
  add(user?: User): User;
}

/**
 * fakeUsers makes a fake users module with no users.
 *
 * @example
 * const users = fakeUsers();
 * const t = await startTestHostWithTokens({ modules: [notificationsModule, users.module] });
 * const ada = users.add(testUser({ name: 'Ada' }));
 */
export function fakeUsers(): FakeUsers {
  const { operations, calls } = fakeOperations(usersContract, () => fake, {
    async getJwks() {
      return fake.jwks;
    },
    async getUser({ id }) {
      const user = fake.users.get(id);
      if (!user) throw AppError.notFound(`User ${id} does not exist`, 'users.user-not-found');
      return user;
    },
  });
  const fake: FakeUsers = {
    users: new Map(),
    jwks: { keys: [] },
    unavailable: false,
    calls,
    add(user = testUser()) {
      fake.users.set(user.id, user);
      return user;
    },
    module: fakeModule(usersContract, { operations, routes() {} }),
    client: fakeClient<UsersContract>(operations),
  };
  return fake;
}
