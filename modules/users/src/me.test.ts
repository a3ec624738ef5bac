import { createHmac } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost } from '@seam/platform/testing';
import type { Jwks } from '@seam/users-contract';
import { users } from './schema.js';
import {
  decodeJwt,
  encodeSegment,
  expectProblem,
  me,
  newEd25519Jwk,
  signEdDsa,
  signUp,
  startUsersHost,
} from './test-support.js';

let t: TestHost;
let jwks: Jwks;
beforeAll(async () => {
  t = await startUsersHost();
  jwks = (await (await t.request('/api/users/.well-known/jwks.json')).json()) as Jwks;
});
afterAll(() => t?.close());

describe('GET /api/users/me', () => {
  it('returns the signed-in user', async () => {
    const { user, token } = await signUp(t);
    const res = await me(t, `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(user);
  });

  it('returns 401 without a token', async () => {
    const res = await me(t);
    const body = await expectProblem(res, 401, 'unauthorized');
    expect(body.detail).toBe('This operation needs a bearer access token');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('returns 401 for a garbage token and for a non-Bearer scheme', async () => {
    await expectProblem(await me(t, 'Bearer garbage'), 401, 'invalid-token');
    await expectProblem(await me(t, 'Bearer aaa.bbb.ccc'), 401, 'invalid-token');
    const { token } = await signUp(t);
    await expectProblem(await me(t, `Basic ${token}`), 401, 'invalid-token');
  });

  it('returns 401 for a token whose payload was tampered with', async () => {
    const { token } = await signUp(t);
    const [header, , signature] = token.split('.');
    const { payload } = decodeJwt(token);
    const forged = `${header}.${encodeSegment({ ...payload, role: 'admin' })}.${signature}`;
    await expectProblem(await me(t, `Bearer ${forged}`), 401, 'invalid-token');
  });

  it('rejects a token with alg "none"', async () => {
    const { token } = await signUp(t);
    const { header, payload } = decodeJwt(token);
    const unsigned = `${encodeSegment({ ...header, alg: 'none' })}.${encodeSegment(payload)}`;
    await expectProblem(await me(t, `Bearer ${unsigned}.`), 401, 'invalid-token');
    await expectProblem(await me(t, `Bearer ${unsigned}.c2lnbmF0dXJl`), 401, 'invalid-token');
  });

  it('rejects an HS256 token, even one keyed with the public key (algorithm confusion)', async () => {
    const { token } = await signUp(t);
    const { header, payload } = decodeJwt(token);
    for (const secret of [
      Buffer.from(jwks.keys[0]!.x!, 'base64url'),
      JSON.stringify(jwks.keys[0]),
    ]) {
      const input = `${encodeSegment({ ...header, alg: 'HS256' })}.${encodeSegment(payload)}`;
      const signature = createHmac('sha256', secret).update(input).digest('base64url');
      await expectProblem(await me(t, `Bearer ${input}.${signature}`), 401, 'invalid-token');
    }
  });

  it('rejects an EdDSA token signed by another key under the same kid', async () => {
    const { token } = await signUp(t);
    const { header, payload } = decodeJwt(token);
    const forged = signEdDsa(header, payload, newEd25519Jwk().key);
    await expectProblem(await me(t, `Bearer ${forged}`), 401, 'invalid-token');
  });

  it('returns 401 users.unknown-user when the token outlives its user', async () => {
    const { user, token } = await signUp(t);
    await t.host.database.db.delete(users).where(eq(users.id, user.id));
    const body = await expectProblem(await me(t, `Bearer ${token}`), 401, 'users.unknown-user');
    expect(body.detail).toBe('The access token belongs to a user that no longer exists');
  });

  it('reads the role from the database, not from the token', async () => {
    const { user, token } = await signUp(t);
    await t.host.database.db.update(users).set({ role: 'admin' }).where(eq(users.id, user.id));
    const res = await me(t, `Bearer ${token}`);
    expect(((await res.json()) as { role: string }).role).toBe('admin');
  });

  it('does not confuse users: a token only ever shows its own user', async () => {
    const a = await signUp(t);
    const b = await signUp(t);
    expect(await (await me(t, `Bearer ${a.token}`)).json()).toEqual(a.user);
    expect(await (await me(t, `Bearer ${b.token}`)).json()).toEqual(b.user);
    expect(a.user.id).not.toBe(b.user.id);
  });
});

describe('GET /api/users/.well-known/jwks.json', () => {
  it('publishes one Ed25519 public key with a cache-control header', async () => {
    const res = await t.request('/api/users/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const body = (await res.json()) as Jwks;
    expect(body.keys).toEqual([
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: expect.any(String),
        kid: expect.any(String),
        alg: 'EdDSA',
        use: 'sig',
      },
    ]);
  });

  it('never contains private key material', async () => {
    const body = (await (await t.request('/api/users/.well-known/jwks.json')).json()) as Jwks;
    for (const key of body.keys) {
      expect(key).not.toHaveProperty('d');
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
    }
  });

  it('needs no token', async () => {
    const res = await t.request('/api/users/.well-known/jwks.json');
    expect(res.status).toBe(200);
  });
});
