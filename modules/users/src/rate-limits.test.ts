// Rate limits and the body cap of POST /login and /register (OWASP API4,
// unrestricted resource consumption), over real HTTP. Every request comes from
// 127.0.0.1, trusted here as a proxy, so X-Forwarded-For plays the clients.
import type { TestHost } from '@seam/platform/testing';
import { AUTH_BODY_LIMIT_BYTES } from '@seam/users-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, newAccount, startUsersHost } from './test-support.js';

let t: TestHost;
beforeAll(async () => {
  t = await startUsersHost(
    {
      SEAM_TRUST_PROXY: 'loopback',
      SEAM_LOGIN_RATE_PER_MINUTE: '5',
      SEAM_LOGIN_ACCOUNT_RATE_PER_MINUTE: '3',
      SEAM_REGISTER_RATE_PER_MINUTE: '4',
      SEAM_REGISTER_ACCOUNT_RATE_PER_MINUTE: '2',
    },
    { listen: true },
  );
});
afterAll(() => t?.close());

let clients = 0;
/** client is a distinct client address, as the trusted proxy reports it. */
function client(): string {
  clients += 1;
  return `203.0.113.${clients}`;
}

function post(path: string, body: unknown, from: string) {
  return t.request(`/api/users/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify(body),
  });
}

async function expectRateLimited(res: Response, who: RegExp) {
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
  const problem = await expectProblem(res, 429, 'too-many-requests');
  expect(problem.detail).toMatch(who);
}

describe('API4 unrestricted resource consumption: sign-in and sign-up limits', () => {
  it('refuses a client its 6th login in a minute with 429 and Retry-After, other clients unaffected', async () => {
    const from = client();
    for (let i = 0; i < 5; i += 1) {
      const res = await post('login', { email: `nobody${i}@example.com`, password: 'x' }, from);
      expect(res.status).toBe(401);
    }
    await expectRateLimited(
      await post('login', { email: 'nobody@example.com', password: 'x' }, from),
      /this client/,
    );
    expect((await post('login', { email: 'n@example.com', password: 'x' }, client())).status).toBe(
      401,
    );
  });

  it('refuses an account its 4th login in a minute from any client, whatever the email case', async () => {
    const account = newAccount();
    expect((await post('register', account, client())).status).toBe(201);
    for (let i = 0; i < 3; i += 1) {
      const res = await post('login', { email: account.email, password: 'wrong' }, client());
      expect(res.status).toBe(401);
    }
    const res = await post(
      'login',
      { email: `  ${account.email.toUpperCase()} `, password: account.password },
      client(),
    );
    await expectRateLimited(res, /this account/);
  });

  it('refuses a client its 5th registration, before creating anything', async () => {
    const from = client();
    for (let i = 0; i < 4; i += 1)
      expect((await post('register', newAccount(), from)).status).toBe(201);
    const refused = newAccount();
    await expectRateLimited(await post('register', refused, from), /this client/);
    const login = await post(
      'login',
      { email: refused.email, password: refused.password },
      client(),
    );
    await expectProblem(login, 401, 'users.invalid-credentials');
  });

  it('refuses a third registration of one email in a minute', async () => {
    const account = newAccount();
    expect((await post('register', account, client())).status).toBe(201);
    expect((await post('register', account, client())).status).toBe(409);
    await expectRateLimited(await post('register', account, client()), /this account/);
  });
});

describe('API4 unrestricted resource consumption: body size', () => {
  const big = { ...newAccount(), name: 'x'.repeat(100 * 1024) };

  it.each(['register', 'login'])(
    'answers a ~100 KB JSON body to %s with a 413 problem',
    async (path) => {
      const res = await post(path, big, client());
      const problem = await expectProblem(res, 413, 'payload-too-large');
      expect(problem.detail).toContain(String(AUTH_BODY_LIMIT_BYTES));
    },
  );
});
