// Postgres only (several processes on one database; a PGlite folder opens in one
// process): replicas that start together share one generated signing key.
import { createHost, type Host } from '@seam/platform';
import { createTestDatabase, jsonRequest } from '@seam/platform/testing';
import type { Jwks, TokenResponse } from '@seam/users-contract';
import { expect, it } from 'vitest';
import usersModule from './index.js';
import { signingKeys } from './schema.js';
import { jwks, newAccount } from './test-support.js';

it('is shared by replicas that start together on one Postgres database', async () => {
  const database = await createTestDatabase();
  const hosts: Host[] = [];
  const start = async () => {
    const host = await createHost({
      modules: [usersModule],
      jwks,
      env: { LOG_LEVEL: 'silent', NODE_ENV: 'test', ...database.env },
    });
    hosts.push(host);
    return host;
  };
  const keysOf = async (host: Host) =>
    ((await (await host.app.request('/api/users/.well-known/jwks.json')).json()) as Jwks).keys;
  try {
    const [a, b] = await Promise.all([start(), start()]);
    expect(await keysOf(a)).toEqual(await keysOf(b));
    expect(await a.database.db.$count(signingKeys)).toBe(1);
    const account = newAccount();
    await a.app.request('/api/users/register', jsonRequest('POST', account));
    const res = await a.app.request(
      '/api/users/login',
      jsonRequest('POST', { email: account.email, password: account.password }),
    );
    const { accessToken } = (await res.json()) as TokenResponse;
    const onB = await b.app.request('/api/users/me', {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(onB.status).toBe(200);
  } finally {
    for (const host of hosts) await host.close();
    await database.dispose();
  }
});
