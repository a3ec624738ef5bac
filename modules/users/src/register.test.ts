import { fakeNotifications } from '@seam/notifications-contract/testing';
import { eventually, jsonRequest, type TestHost } from '@seam/platform/testing';
import { UserRegistered } from '@seam/users-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import usersModule from './index.js';
import { users } from './schema.js';
import {
  expectProblem,
  newAccount,
  register,
  registeredEvents,
  startUsersHost,
} from './test-support.js';

let t: TestHost;
beforeAll(async () => {
  t = await startUsersHost({ SEAM_BODY_LIMIT_BYTES: '4096' });
});
afterAll(() => t?.close());

const countUsers = () => t.host.database.db.$count(users);

describe('POST /api/users/register', () => {
  it('returns 201 with the new customer, without any password', async () => {
    const account = newAccount();
    const { res, body } = await register(t, account);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: account.email,
      name: account.name,
      role: 'customer',
      createdAt: expect.any(String),
    });
    expect(new Date(body.createdAt).toISOString()).toBe(body.createdAt);
    expect(JSON.stringify(body)).not.toContain(account.password);
  });

  it('stores a scrypt hash, never the password', async () => {
    const account = newAccount({ password: 'plain-text-must-not-be-stored' });
    const { body } = await register(t, account);
    const rows = await t.host.database.db.select().from(users);
    const row = rows.find((r) => r.id === body.id)!;
    expect(row.passwordHash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[\w-]+\$[\w-]+$/);
    expect(row.passwordHash).not.toContain(account.password);
  });

  it('trims and lowercases the email and trims the name', async () => {
    const account = newAccount();
    const { res, body } = await register(t, {
      ...account,
      email: `  ${account.email.toUpperCase()} `,
      name: '  Ada Lovelace  ',
    });
    expect(res.status).toBe(201);
    expect(body.email).toBe(account.email);
    expect(body.name).toBe('Ada Lovelace');
  });

  it('returns 409 users.email-taken for a taken email, whatever its case', async () => {
    const account = newAccount();
    expect((await register(t, account)).res.status).toBe(201);
    const before = await countUsers();
    const { res } = await register(t, { ...account, email: account.email.toUpperCase() });
    const body = await expectProblem(res, 409, 'users.email-taken');
    expect(body.detail).toBe('A user with this email already exists');
    expect(await countUsers()).toBe(before);
  });

  it('lets only one of two concurrent registrations of one email succeed', async () => {
    const account = newAccount();
    const results = await Promise.all([register(t, account), register(t, account)]);
    expect(results.map((r) => r.res.status).sort()).toEqual([201, 409]);
  });

  it('returns 400 with field errors for an invalid email and a short password', async () => {
    const before = await countUsers();
    const { res } = await register(t, { email: 'not-an-email', password: 'short', name: 'Ada' });
    const body = await expectProblem(res, 400, 'validation-failed');
    expect(body.errors?.map((e) => e.path).sort()).toEqual(['email', 'password']);
    expect(body.detail).toBe('The request body is invalid: email, password');
    expect(JSON.stringify(body)).not.toContain('short');
    expect(await countUsers()).toBe(before);
  });

  it('returns 400 for a blank name, a missing field and an over-long password', async () => {
    const { res } = await register(t, {
      email: newAccount().email,
      password: 'x'.repeat(257),
      name: '   ',
    });
    const body = await expectProblem(res, 400, 'validation-failed');
    expect(body.errors?.map((e) => e.path).sort()).toEqual(['name', 'password']);

    const missing = await expectProblem(
      (await register(t, { email: newAccount().email })).res,
      400,
      'validation-failed',
    );
    expect(missing.errors?.map((e) => e.path).sort()).toEqual(['name', 'password']);
  });

  it('returns 400 malformed-json when the body is not JSON', async () => {
    const res = await t.request('/api/users/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "ada@example.com", ',
    });
    const body = await expectProblem(res, 400, 'malformed-json');
    expect(body.detail).toBe('The request body is not valid JSON');
  });

  it('returns 400 when the body is JSON but not an object', async () => {
    const res = await t.request('/api/users/register', jsonRequest('POST', ['ada@example.com']));
    await expectProblem(res, 400, 'validation-failed');
  });

  it('returns 415 when the body is not application/json', async () => {
    const res = await t.request('/api/users/register', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(newAccount()),
    });
    await expectProblem(res, 415, 'unsupported-media-type');
  });

  it('returns 413 when the body is larger than the limit', async () => {
    const res = await t.request(
      '/api/users/register',
      jsonRequest('POST', { ...newAccount(), name: 'x'.repeat(8192) }),
    );
    await expectProblem(res, 413, 'payload-too-large');
  });

  it('returns 405 for another method on the path', async () => {
    const res = await t.request('/api/users/register', { method: 'GET' });
    await expectProblem(res, 405, 'method-not-allowed');
  });
});

describe('users.UserRegistered', () => {
  const eventsFor = async (email: string) =>
    (await registeredEvents(t.host.database.db)).filter(
      (e) => (e.payload as { email: string }).email === email,
    );

  it('is written to the outbox once, with the new user, when an account is registered', async () => {
    const account = newAccount();
    const { body: user } = await register(t, {
      ...account,
      email: ` ${account.email.toUpperCase()}`,
      name: ' Ada Lovelace ',
    });
    const events = await eventsFor(account.email);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'users.UserRegistered',
      version: 1,
      payload: { userId: user.id, email: account.email, name: 'Ada Lovelace' },
    });
    expect(JSON.stringify(events[0]!.payload)).not.toContain(account.password);
    expect(events[0]!.occurredAt.getTime()).toBeGreaterThanOrEqual(
      Date.parse(user.createdAt) - 1000,
    );
  });

  it('is not written for a duplicate registration (409)', async () => {
    const account = newAccount();
    expect((await register(t, account)).res.status).toBe(201);
    const before = (await registeredEvents(t.host.database.db)).length;
    const { res } = await register(t, { ...account, name: 'Someone else' });
    expect(res.status).toBe(409);
    expect((await registeredEvents(t.host.database.db)).length).toBe(before);
    expect(await eventsFor(account.email)).toHaveLength(1);
  });

  it('is written once when two registrations of one email race', async () => {
    const account = newAccount();
    await Promise.all([register(t, account), register(t, account)]);
    expect(await eventsFor(account.email)).toHaveLength(1);
  });

  it('reaches the module that consumes it (notifications, faked) once, as written', async () => {
    const notifications = fakeNotifications({ consumes: [UserRegistered] });
    const own = await startUsersHost(
      { SEAM_EVENT_POLL_MS: '20' },
      { modules: [usersModule, notifications.module] },
    );
    try {
      const account = newAccount();
      const { body: user } = await register(own, account);
      const [written] = await registeredEvents(own.host.database.db);
      const delivered = await eventually(() => {
        expect(notifications.events).toHaveLength(1);
        return notifications.events[0]!;
      });
      expect(delivered).toEqual({
        id: written!.id,
        type: 'users.UserRegistered',
        version: 1,
        source: 'users',
        occurredAt: written!.occurredAt.toISOString(),
        payload: { userId: user.id, email: account.email, name: account.name },
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(notifications.events).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('is not written for a registration rejected as invalid', async () => {
    const before = (await registeredEvents(t.host.database.db)).length;
    await register(t, { email: 'not-an-email', password: 'correct horse', name: 'Ada' });
    await register(t, { ...newAccount(), password: 'short' });
    expect((await registeredEvents(t.host.database.db)).length).toBe(before);
  });
});
