// Test helpers (import from '@seam/platform/testing'): a fresh database per test
// file — a new Postgres database when DATABASE_URL is set, else PGlite in a
// temporary folder — and a host started on a loopback port.
import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { expect } from 'vitest';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, type Problem } from '../errors.js';
import { createTokenSigner, generateSigningKey, type AuthUser } from '../auth.js';
import { createHost, type Host, type HostOptions } from '../host.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import type { Clients } from '../module.js';

/**
 * FAST_EVENT_RETRIES make event delivery quick to watch in a test: a 20 ms poll,
 * retries after 10–40 ms, and a delivery failed (or parked) after 3 attempts.
 */
export const FAST_EVENT_RETRIES = {
  SEAM_EVENT_POLL_MS: '20',
  SEAM_EVENT_RETRY_BASE_MS: '10',
  SEAM_EVENT_RETRY_MAX_MS: '40',
  SEAM_EVENT_MAX_ATTEMPTS: '3',
} as const;

export interface TestHost {
  host: Host;
  database: TestDatabase;
  /** url is set when the host was started with `listen: true`. */
  url: string | undefined;
  /** request calls the app in-process (`app.request`), or over HTTP when listening. */
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface TestHostOptions extends Omit<HostOptions, 'env'> {
  env?: Record<string, string | undefined>;
  /** listen starts a real HTTP server on 127.0.0.1 and a free port. */
  listen?: boolean;
}

/**
 * startTestHost runs a host on a fresh database, logs silenced, demo data off
 * unless `env` says otherwise.
 *
 * @example
 * const t = await startTestHost({ modules: [catalog], listen: true });
 * const res = await t.request('/api/catalog/products');
 * await t.close();
 */
export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  const database = await createTestDatabase(options.env?.SEAM_SERVICE ?? 'monolith');
  let host: Host;
  try {
    host = await createHost({
      ...options,
      env: {
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        SEAM_DEMO_DATA: 'false',
        ...database.env,
        ...options.env,
      },
    });
  } catch (error) {
    await database.dispose();
    throw error;
  }
  const url = options.listen ? (await host.listen(0)).url : undefined;
  return {
    host,
    database,
    url,
    request: (path, init) =>
      url ? fetch(`${url}${path}`, init) : Promise.resolve(host.app.request(path, init)),
    async close() {
      await host.close();
      await database.dispose();
    },
  };
}

/** jsonRequest builds a JSON request init with an optional bearer token. */
export function jsonRequest(method: string, body?: unknown, token?: string): RequestInit {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  return { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) };
}

export type JwksLoader = (clients: Clients) => Promise<JSONWebKeySet>;

/**
 * createTestTokens signs access tokens for tests of modules that verify tokens
 * without hosting the users module; pass `jwks` to startTestHost.
 *
 * @example
 * const tokens = await createTestTokens();
 * const t = await startTestHost({ modules: [catalog], jwks: tokens.jwks });
 * const admin = await tokens.sign({ id: randomUUID(), email: 'a@example.com', role: 'admin' });
 */
export async function createTestTokens(settings = { issuer: 'seam', audience: 'seam' }) {
  const key = await generateSigningKey();
  const signer = await createTokenSigner(key, { ...settings, ttlSeconds: 900 });
  return {
    jwks: (async () => ({ keys: [key.publicJwk] })) as JwksLoader,
    sign: (user: AuthUser) => signer.sign(user),
  };
}

export type TestTokens = Awaited<ReturnType<typeof createTestTokens>>;

/** TestUser is a signed-in user: an id and its bearer token. */
export interface TestUser {
  id: string;
  token: string;
}

export interface TestHostWithTokens extends TestHost {
  tokens: TestTokens;
  /** adminToken and customerToken belong to a fresh admin and a fresh customer. */
  adminToken: string;
  customerToken: string;
  /** signUser signs a token for `id` (a fresh one when omitted) with `role`. */
  signUser(role?: AuthUser['role'], id?: string): Promise<TestUser>;
}

/**
 * startTestHostWithTokens starts a host (see startTestHost) that verifies
 * tokens from createTestTokens, for modules that do not host users, with an
 * admin and a customer token ready.
 *
 * @example
 * const t = await startTestHostWithTokens({ modules: [catalog] });
 * await t.request('/api/catalog/products', jsonRequest('POST', body, t.adminToken));
 * const shopper = await t.signUser();
 */
export async function startTestHostWithTokens(
  options: Omit<TestHostOptions, 'jwks'>,
): Promise<TestHostWithTokens> {
  const tokens = await createTestTokens();
  const t = await startTestHost({ ...options, jwks: tokens.jwks });
  const signUser = async (role: AuthUser['role'] = 'customer', id: string = randomUUID()) => ({
    id,
    token: await tokens.sign({ id, email: `${id}@example.com`, role }),
  });
  return {
    ...t,
    tokens,
    adminToken: (await signUser('admin')).token,
    customerToken: (await signUser('customer')).token,
    signUser,
  };
}

/**
 * expectProblem asserts that `res` is an RFC 9457 problem with `status` (and
 * `code`, when given) that leaks no internals, and returns its body.
 *
 * @example
 * const problem = await expectProblem(await t.request('/api/catalog/products/x'), 400, 'validation-failed');
 */
export async function expectProblem(
  res: Response,
  status: number,
  code?: string,
): Promise<Problem> {
  const body = (await res.json()) as Problem;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  expect(body).toMatchObject({ status, type: `${PROBLEM_TYPE_PREFIX}${body.code}` });
  if (code) expect(body.code).toBe(code);
  expect(body.title).toEqual(expect.any(String));
  expect(body.detail).toEqual(expect.any(String));
  expect(JSON.stringify(body)).not.toMatch(/\.ts:\d+|node_modules|Failed query/);
  return body;
}

export * from './topology.js';
export { createTestDatabase, type TestDatabase } from './database.js';

export { eventually } from './eventually.js';
export { parseExposition, type Exposition, type Sample } from './exposition.js';
export { startFaultProxy, type FaultProxy } from './fault-proxy.js';
export { documentedOperations, type DocumentedOperation } from './openapi.js';
export { recordingLogger, type RecordingLogger } from './recording-logger.js';
export * as fixtures from './fixtures/index.js';
export {
  fakeClient,
  fakeModule,
  fakeOperations,
  NO_MIGRATIONS,
  type ContractFake,
  type FakeCalls,
  type FakeSwitches,
  type OperationName,
} from './fake-module.js';
export { fieldPaths, readJson, rejectedProblem, rejection } from './assertions.js';
export { NATS_SERVERS, startNatsServer, testNats, type NatsServer, type TestNats } from './nats.js';
