// Helpers shared by the users module's tests (not part of the module's surface).
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { integer, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Database, Problem } from '@seam/platform';
import {
  jsonRequest,
  startTestHost,
  type TestHost,
  type TestHostOptions,
} from '@seam/platform/testing';
import { UserRegistered, usersContract, type TokenResponse, type User } from '@seam/users-contract';
import usersModule from './index.js';

/** jwks is what every host in these tests verifies tokens with: the module's own operation. */
export const jwks: NonNullable<TestHostOptions['jwks']> = (clients) =>
  clients.of(usersContract).getJwks({});

/** startUsersHost runs the users module alone on a fresh database. */
export function startUsersHost(
  env: Record<string, string> = {},
  options: Partial<TestHostOptions> = {},
): Promise<TestHost> {
  return startTestHost({ modules: [usersModule], jwks, env, ...options });
}

let counter = 0;

/** newAccount returns registration input with a unique email. */
export function newAccount(
  overrides: Partial<{ email: string; password: string; name: string }> = {},
) {
  counter += 1;
  return {
    email: `user${counter}-${Date.now()}@example.com`,
    password: 'correct horse battery staple',
    name: `User ${counter}`,
    ...overrides,
  };
}

/** register posts to /register and returns the response with its parsed body. */
export async function register(t: TestHost, body: unknown) {
  const res = await t.request('/api/users/register', jsonRequest('POST', body));
  return { res, body: (await res.clone().json()) as User & Problem };
}

/** login posts to /login and returns the response with its parsed body. */
export async function login(t: TestHost, email: string, password: string) {
  const res = await t.request('/api/users/login', jsonRequest('POST', { email, password }));
  return { res, body: (await res.clone().json()) as TokenResponse & Problem };
}

/** signUp registers a fresh account and signs it in. */
export async function signUp(t: TestHost) {
  const account = newAccount();
  const { body: user } = await register(t, account);
  const { body: token } = await login(t, account.email, account.password);
  return { account, user, token: token.accessToken };
}

/** me calls GET /me with an optional raw Authorization header value. */
export function me(t: TestHost, authorization?: string) {
  return t.request('/api/users/me', authorization ? { headers: { authorization } } : {});
}

export { expectProblem } from '@seam/platform/testing';

/** decodeJwt reads a token's header and payload without verifying it. */
export function decodeJwt(token: string) {
  const [header = '', payload = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
  };
}

/** encodeSegment base64url-encodes one JSON segment of a JWT. */
export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** signEdDsa signs a JWT with an Ed25519 key, for forging tokens in tests. */
export function signEdDsa(header: object, payload: object, key: KeyObject): string {
  const input = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

/** newEd25519Jwk makes a private JWK like an operator would put in SEAM_JWT_PRIVATE_KEY. */
export function newEd25519Jwk(): { jwk: Record<string, string>; key: KeyObject } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  return { jwk, key: createPrivateKey({ key: jwk, format: 'jwk' }) };
}

/**
 * outbox is the platform's `users.__outbox` table (events the module published),
 * declared here so tests can read it; the module itself never touches it.
 */
const outbox = pgSchema('users').table('__outbox', {
  id: uuid('id').primaryKey(),
  type: text('type').notNull(),
  version: integer('version').notNull(),
  payload: jsonb('payload').notNull(),
  occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull(),
});

/** registeredEvents reads every users.UserRegistered row of the outbox, oldest first. */
export function registeredEvents(db: Database) {
  return db
    .select()
    .from(outbox)
    .where(eq(outbox.type, UserRegistered.type))
    .orderBy(outbox.occurredAt);
}
