import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '@seam/platform';
import { jsonRequest, recordingLogger, type TestHost } from '@seam/platform/testing';
import type { Jwks, User } from '@seam/users-contract';
import {
  decodeJwt,
  expectProblem,
  login,
  me,
  newAccount,
  register,
  startUsersHost,
} from './test-support.js';

let t: TestHost;
const logs = recordingLogger();
const account = newAccount({ password: 'a-password-that-must-never-be-logged' });
let user: User;

beforeAll(async () => {
  t = await startUsersHost({}, { log: logs.log });
  ({ body: user } = await register(t, account));
});
afterAll(() => t?.close());

describe('POST /api/users/login', () => {
  it('returns a Bearer access token that is never cached', async () => {
    const { res, body } = await login(t, account.email, account.password);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
  });

  it('signs an EdDSA JWT with the JWKS key, the user as subject, and a 900 s lifetime', async () => {
    const { body } = await login(t, account.email, account.password);
    const { header, payload } = decodeJwt(body.accessToken);
    const jwks = (await (await t.request('/api/users/.well-known/jwks.json')).json()) as Jwks;
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: jwks.keys[0]!.kid });
    expect(payload).toEqual({
      sub: user.id,
      email: user.email,
      role: 'customer',
      iss: 'seam',
      aud: 'seam',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
    });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    expect(JSON.stringify(payload)).not.toContain(account.password);
  });

  it('gives a token that GET /me accepts, returning the same user', async () => {
    const { body } = await login(t, account.email, account.password);
    const res = await me(t, `Bearer ${body.accessToken}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(user);
  });

  it('matches the email whatever its case and surrounding spaces', async () => {
    const { res } = await login(t, `  ${account.email.toUpperCase()}  `, account.password);
    expect(res.status).toBe(200);
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const wrong = await login(t, account.email, 'not-the-password');
    const unknown = await login(t, 'nobody-at-all@example.com', account.password);
    const strip = (problem: Problem) => ({ ...problem, requestId: undefined });
    const wrongBody = await expectProblem(wrong.res, 401, 'users.invalid-credentials');
    const unknownBody = await expectProblem(unknown.res, 401, 'users.invalid-credentials');
    expect(strip(wrongBody)).toEqual(strip(unknownBody));
    expect(wrongBody.detail).toBe('The email or password is incorrect');
    expect(wrong.res.headers.get('www-authenticate')).toBe('Bearer');
    expect(unknown.res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('spends a password hash on an unknown email too, so timing does not tell them apart', async () => {
    // A loose bound, not a benchmark: without the dummy hash an unknown email answers
    // in about one database round trip, tens of times faster than one scrypt.
    const time = async (email: string) => {
      const started = performance.now();
      await login(t, email, 'not-the-password');
      return performance.now() - started;
    };
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      wrong.push(await time(account.email));
      unknown.push(await time(`nobody-${i}@example.com`));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[1]!;
    expect(median(unknown)).toBeGreaterThan(median(wrong) / 3);
  });

  it('returns 400 with field errors when fields are missing or invalid', async () => {
    const res = await t.request('/api/users/login', jsonRequest('POST', { email: 'nope' }));
    const body = await expectProblem(res, 400, 'validation-failed');
    expect(body.errors?.map((e) => e.path).sort()).toEqual(['email', 'password']);
  });

  it('returns 415 for a form-encoded body and 400 for malformed JSON', async () => {
    await expectProblem(
      await t.request('/api/users/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `email=${account.email}&password=x`,
      }),
      415,
      'unsupported-media-type',
    );
    await expectProblem(
      await t.request('/api/users/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{',
      }),
      400,
      'malformed-json',
    );
  });

  it('never writes a password to the logs', async () => {
    await register(t, { ...account, email: 'bad' });
    await login(t, account.email, account.password);
    await login(t, account.email, `${account.password}-wrong`);
    expect(logs.lines.length).toBeGreaterThan(0);
    for (const line of logs.lines) expect(line).not.toContain(account.password);
  });
});
