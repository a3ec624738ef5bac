import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, isAppError, type AppError, type Host } from '@seam/platform';
import {
  createTestDatabase,
  recordingLogger,
  type TestDatabase,
  type TestHost,
} from '@seam/platform/testing';
import { checkAdminConfig, type UsersConfig } from './config.js';
import usersModule from './index.js';
import { users } from './schema.js';
import {
  decodeJwt,
  jwks,
  login,
  me,
  newEd25519Jwk,
  register,
  registeredEvents,
  startUsersHost,
} from './test-support.js';

const ADMIN = { email: 'owner@example.com', password: 'a-long-admin-password' };
const ADMIN_ENV = { SEAM_ADMIN_EMAIL: '  Owner@Example.com ', SEAM_ADMIN_PASSWORD: ADMIN.password };

describe('the first admin', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startUsersHost(ADMIN_ENV);
  });
  afterAll(() => t?.close());

  it('is created on start with the admin role and signs in with an admin token', async () => {
    const { res, body } = await login(t, ADMIN.email, ADMIN.password);
    expect(res.status).toBe(200);
    expect(decodeJwt(body.accessToken).payload).toMatchObject({
      email: ADMIN.email,
      role: 'admin',
    });
    const user = await (await me(t, `Bearer ${body.accessToken}`)).json();
    expect(user).toMatchObject({ email: ADMIN.email, role: 'admin', name: 'Administrator' });
  });

  it('cannot be registered again', async () => {
    const { res } = await register(t, { ...ADMIN, name: 'Squatter' });
    expect(res.status).toBe(409);
  });

  it('is announced with one users.UserRegistered, like any new account', async () => {
    const [admin] = await t.host.database.db
      .select()
      .from(users)
      .where(eq(users.email, ADMIN.email));
    const events = await registeredEvents(t.host.database.db);
    expect(events.map((e) => e.payload)).toEqual([
      { userId: admin!.id, email: ADMIN.email, name: 'Administrator' },
    ]);
  });
});

describe('bootstrapping across restarts', () => {
  let database: TestDatabase;
  const hosts: Host[] = [];
  const start = async (env: Record<string, string>, log = recordingLogger()) => {
    const host = await createHost({
      modules: [usersModule],
      jwks,
      log: log.log,
      env: { LOG_LEVEL: 'silent', NODE_ENV: 'test', ...database.env, ...env },
    });
    hosts.push(host);
    return { host, lines: log.lines };
  };
  const adminRows = (host: Host) =>
    host.database.db.select().from(users).where(eq(users.role, 'admin'));

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const host of hosts) await host.close();
    await database?.dispose();
  });

  it('does not promote a customer who registered the admin email first, and says so', async () => {
    const first = await start({});
    const squatter = { email: 'boss@example.com', password: 'squatter-password', name: 'Squatter' };
    const res = await first.host.app.request('/api/users/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(squatter),
    });
    expect(res.status).toBe(201);
    await first.host.close();

    const second = await start({
      SEAM_ADMIN_EMAIL: squatter.email,
      SEAM_ADMIN_PASSWORD: 'the-real-admin-password',
    });
    expect(await adminRows(second.host)).toEqual([]);
    expect(second.lines.join('\n')).toContain(
      'SEAM_ADMIN_EMAIL belongs to an existing customer; it was not promoted to admin',
    );
    expect(second.lines.join('\n')).not.toContain('the-real-admin-password');
    await second.host.close();
  });

  it('creates the admin once and never resets its password on later starts', async () => {
    const env = {
      SEAM_ADMIN_EMAIL: 'root@example.com',
      SEAM_ADMIN_PASSWORD: 'first-admin-password',
    };
    const first = await start(env);
    const [created] = await adminRows(first.host);
    expect(created).toMatchObject({ email: 'root@example.com', role: 'admin' });
    expect(first.lines.join('\n')).toContain('created the first admin');
    await first.host.close();

    const second = await start({ ...env, SEAM_ADMIN_PASSWORD: 'changed-in-the-environment' });
    const rows = await adminRows(second.host);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.passwordHash).toBe(created!.passwordHash);
    const announced = (await registeredEvents(second.host.database.db)).filter(
      (e) => (e.payload as { userId: string }).userId === created!.id,
    );
    expect(announced).toHaveLength(1);
    await second.host.close();
  });
});

describe('configuration errors stop the start', () => {
  const startError = async (env: Record<string, string>) => {
    const error = await startUsersHost(env).then(
      (t) => t.close().then(() => undefined),
      (e: unknown) => e,
    );
    expect(isAppError(error), String(error)).toBe(true);
    expect(error).toMatchObject({ status: 500, code: 'invalid-configuration' });
    return error as AppError;
  };

  it('when only one of SEAM_ADMIN_EMAIL and SEAM_ADMIN_PASSWORD is set', async () => {
    const error = await startError({ SEAM_ADMIN_EMAIL: ADMIN.email });
    expect(error.detail).toBe(
      'Invalid configuration: SEAM_ADMIN_EMAIL is set but SEAM_ADMIN_PASSWORD is not; set both to create the first admin, or neither',
    );
    const config = { SEAM_ADMIN_PASSWORD: ADMIN.password } as UsersConfig;
    expect(() => checkAdminConfig(config)).toThrow(
      /SEAM_ADMIN_PASSWORD is set but SEAM_ADMIN_EMAIL is not/,
    );
    expect(() => checkAdminConfig({ ...config, SEAM_ADMIN_EMAIL: ADMIN.email })).not.toThrow();
    expect(() => checkAdminConfig({} as UsersConfig)).not.toThrow();
  });

  it('when the admin email is invalid or its password is shorter than 12 characters', async () => {
    const error = await startError({ SEAM_ADMIN_EMAIL: 'nope', SEAM_ADMIN_PASSWORD: 'short-pass' });
    expect(error.errors?.map((e) => e.path).sort()).toEqual([
      'SEAM_ADMIN_EMAIL',
      'SEAM_ADMIN_PASSWORD',
    ]);
    expect(error.detail).not.toContain('short-pass');
  });

  it('when the token lifetime is out of bounds', async () => {
    for (const value of ['59', '86401', 'soon']) {
      const error = await startError({ SEAM_ACCESS_TOKEN_TTL_SECONDS: value });
      expect(error.errors?.map((e) => e.path)).toEqual(['SEAM_ACCESS_TOKEN_TTL_SECONDS']);
    }
  });

  it('when SEAM_JWT_PRIVATE_KEY is not an Ed25519 private JWK, without quoting it', async () => {
    const { jwk } = newEd25519Jwk();
    const error = await startError({
      SEAM_JWT_PRIVATE_KEY: JSON.stringify({ ...jwk, crv: 'X25519' }),
    });
    expect(error.detail).toMatch(
      /^Invalid configuration: SEAM_JWT_PRIVATE_KEY: must be an Ed25519 private JWK/,
    );
    expect(JSON.stringify(error.toProblem())).not.toContain(jwk.d);
  });
});

describe('SEAM_ACCESS_TOKEN_TTL_SECONDS', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startUsersHost({ ...ADMIN_ENV, SEAM_ACCESS_TOKEN_TTL_SECONDS: '120' });
  });
  afterAll(() => t?.close());

  it('sets expiresIn and the token lifetime', async () => {
    const { body } = await login(t, ADMIN.email, ADMIN.password);
    expect(body.expiresIn).toBe(120);
    const { payload } = decodeJwt(body.accessToken);
    expect((payload.exp as number) - (payload.iat as number)).toBe(120);
  });
});
