import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, type Host } from '@seam/platform';
import {
  createTestDatabase,
  jsonRequest,
  type TestDatabase,
  type TestHost,
} from '@seam/platform/testing';
import type { Jwks, TokenResponse } from '@seam/users-contract';
import usersModule from './index.js';
import { parsePrivateJwk } from './keys.js';
import { signingKeys } from './schema.js';
import {
  decodeJwt,
  expectProblem,
  jwks,
  login,
  me,
  newAccount,
  newEd25519Jwk,
  register,
  signEdDsa,
  startUsersHost,
} from './test-support.js';

describe('parsePrivateJwk', () => {
  it('reads an Ed25519 private JWK and names it by its RFC 7638 thumbprint', () => {
    const { jwk } = newEd25519Jwk();
    const key = parsePrivateJwk(JSON.stringify(jwk));
    const thumbprint = createHash('sha256')
      .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x: jwk.x }))
      .digest('base64url');
    expect(key.kid).toBe(thumbprint);
    expect(key.publicJwk).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: jwk.x,
      kid: thumbprint,
      alg: 'EdDSA',
      use: 'sig',
    });
    expect(key.privateJwk).toMatchObject({ d: jwk.d, x: jwk.x, kid: thumbprint });
  });

  it('keeps a kid the operator chose', () => {
    const { jwk } = newEd25519Jwk();
    expect(parsePrivateJwk(JSON.stringify({ ...jwk, kid: 'prod-2025' })).kid).toBe('prod-2025');
  });

  it('rejects what is not an Ed25519 private key, without quoting it', () => {
    const { jwk } = newEd25519Jwk();
    const other = newEd25519Jwk().jwk;
    const cases: [string, RegExp][] = [
      ['not json', /must be a JSON Web Key as JSON/],
      [JSON.stringify({ ...jwk, crv: 'P-256' }), /must be an Ed25519 private JWK/],
      [JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }), /must be an Ed25519 private JWK/],
      [JSON.stringify({ ...jwk, d: 'AAAA' }), /is not a valid Ed25519 private key/],
      [JSON.stringify({ ...jwk, x: other.x }), /"x" that is not the public key of its "d"/],
    ];
    for (const [text, message] of cases) {
      const error = (() => {
        try {
          parsePrivateJwk(text);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message, text).toMatch(message);
      expect(error?.message).not.toContain(jwk.d);
    }
  });
});

describe('a generated signing key', () => {
  let database: TestDatabase;
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
  const request = (host: Host, path: string, init?: RequestInit) =>
    Promise.resolve(host.app.request(path, init));
  const keysOf = async (host: Host) =>
    ((await (await request(host, '/api/users/.well-known/jwks.json')).json()) as Jwks).keys;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const host of hosts) await host.close();
    await database?.dispose();
  });

  it('is stored once and survives a restart: old tokens still verify', async () => {
    const first = await start();
    const account = newAccount();
    await request(first, '/api/users/register', jsonRequest('POST', account));
    const res = await request(
      first,
      '/api/users/login',
      jsonRequest('POST', { email: account.email, password: account.password }),
    );
    const { accessToken } = (await res.json()) as TokenResponse;
    const keysBefore = await keysOf(first);
    await first.close();

    const second = await start();
    expect(await keysOf(second)).toEqual(keysBefore);
    const meRes = await request(second, '/api/users/me', {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(meRes.status).toBe(200);
    expect(((await meRes.json()) as { email: string }).email).toBe(account.email);
    expect(await second.database.db.$count(signingKeys)).toBe(1);
    await second.close();
  });
});

describe('a configured signing key (SEAM_JWT_PRIVATE_KEY)', () => {
  const { jwk, key } = newEd25519Jwk();
  let t: TestHost;
  let token: string;
  beforeAll(async () => {
    t = await startUsersHost({ SEAM_JWT_PRIVATE_KEY: JSON.stringify(jwk) });
    const account = newAccount();
    await register(t, account);
    token = (await login(t, account.email, account.password)).body.accessToken;
  });
  afterAll(() => t?.close());

  it('signs tokens and is the only key in the JWKS; nothing is stored', async () => {
    const body = (await (await t.request('/api/users/.well-known/jwks.json')).json()) as Jwks;
    expect(body.keys).toEqual([parsePrivateJwk(JSON.stringify(jwk)).publicJwk]);
    expect(await t.host.database.db.$count(signingKeys)).toBe(0);

    const [header, payload, signature] = token.split('.');
    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x! },
      format: 'jwk',
    });
    expect(
      verify(
        null,
        Buffer.from(`${header}.${payload}`),
        publicKey,
        Buffer.from(signature!, 'base64url'),
      ),
    ).toBe(true);
  });

  it('rejects an expired token with 401 token-expired', async () => {
    const { header, payload } = decodeJwt(token);
    const now = Math.floor(Date.now() / 1000);
    const expired = signEdDsa(header, { ...payload, iat: now - 1000, exp: now - 100 }, key);
    await expectProblem(await me(t, `Bearer ${expired}`), 401, 'token-expired');
  });

  it('rejects a token for another issuer or audience', async () => {
    const { header, payload } = decodeJwt(token);
    expect((await me(t, `Bearer ${signEdDsa(header, payload, key)}`)).status).toBe(200);
    for (const claims of [{ iss: 'someone-else' }, { aud: 'another-service' }]) {
      const forged = signEdDsa(header, { ...payload, ...claims }, key);
      await expectProblem(await me(t, `Bearer ${forged}`), 401, 'invalid-token');
    }
  });
});
