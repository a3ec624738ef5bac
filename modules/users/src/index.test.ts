import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, isAppError } from '@seam/platform';
import type { TestHost } from '@seam/platform/testing';
import { usersContract } from '@seam/users-contract';
import usersModule from './index.js';
import { newAccount, register, startUsersHost } from './test-support.js';

describe('exported surface', () => {
  it('pins the contract: name, operations and routes', () => {
    expect(usersModule.contract).toBe(usersContract);
    expect(usersContract.name).toBe('users');
    expect(
      Object.fromEntries(
        Object.entries(usersContract.operations).map(([name, op]) => [name, op.idempotent]),
      ),
    ).toEqual({ getJwks: true, getUser: true });
    expect(
      Object.fromEntries(
        Object.entries(usersContract.routes).map(([name, route]) => [
          name,
          `${route.method.toUpperCase()} ${route.path}`,
        ]),
      ),
    ).toEqual({
      register: 'POST /register',
      login: 'POST /login',
      me: 'GET /me',
      jwks: 'GET /.well-known/jwks.json',
    });
  });

  it('pins the config variables the module reads', () => {
    expect(Object.keys(usersModule.config ?? {}).sort()).toEqual([
      'SEAM_ACCESS_TOKEN_TTL_SECONDS',
      'SEAM_ADMIN_EMAIL',
      'SEAM_ADMIN_PASSWORD',
      'SEAM_JWT_PRIVATE_KEY',
      'SEAM_LOGIN_ACCOUNT_RATE_PER_MINUTE',
      'SEAM_LOGIN_RATE_PER_MINUTE',
      'SEAM_REGISTER_ACCOUNT_RATE_PER_MINUTE',
      'SEAM_REGISTER_RATE_PER_MINUTE',
    ]);
  });
});

describe('hosted', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startUsersHost();
  });
  afterAll(() => t?.close());

  describe('OpenAPI document', () => {
    type Operation = {
      summary?: string;
      description?: string;
      tags?: string[];
      security?: unknown;
      requestBody?: unknown;
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    const operation = (path: string, method: string) =>
      (t.host.document.paths?.[path] as Record<string, Operation> | undefined)?.[method];

    it('lists every route under /api/users with summary, description and tags', () => {
      const paths = Object.keys(t.host.document.paths ?? {})
        .filter((p) => p.startsWith('/api/users/'))
        .sort();
      expect(paths).toEqual([
        '/api/users/.well-known/jwks.json',
        '/api/users/login',
        '/api/users/me',
        '/api/users/register',
      ]);
      for (const [path, method] of [
        ['/api/users/register', 'post'],
        ['/api/users/login', 'post'],
        ['/api/users/me', 'get'],
        ['/api/users/.well-known/jwks.json', 'get'],
      ] as const) {
        const op = operation(path, method);
        expect(op, `${method} ${path}`).toBeDefined();
        expect(op!.summary).toEqual(expect.any(String));
        expect(op!.description).toEqual(expect.any(String));
        expect(op!.tags).toEqual(['users']);
      }
    });

    it('documents the error answers as problem+json and the bearer security of /me', () => {
      expect(Object.keys(operation('/api/users/register', 'post')!.responses).sort()).toEqual(
        ['201', '400', '409', '413', '415', '429'].sort(),
      );
      expect(Object.keys(operation('/api/users/login', 'post')!.responses).sort()).toEqual(
        ['200', '400', '401', '413', '415', '429'].sort(),
      );
      const me = operation('/api/users/me', 'get')!;
      expect(me.security).toEqual([{ bearerAuth: [] }]);
      expect(me.responses['401']!.content).toHaveProperty(['application/problem+json']);
      expect(operation('/api/users/login', 'post')!.security).toEqual([]);
    });

    it('registers the schemas as components', () => {
      const schemas = Object.keys(t.host.document.components?.schemas ?? {});
      expect(schemas).toEqual(
        expect.arrayContaining([
          'User',
          'RegisterRequest',
          'LoginRequest',
          'TokenResponse',
          'Jwks',
        ]),
      );
      const user = t.host.document.components!.schemas!.User as { properties: object };
      expect(Object.keys(user.properties).sort()).toEqual([
        'createdAt',
        'email',
        'id',
        'name',
        'role',
      ]);
    });
  });

  describe('typed client', () => {
    it('getUser returns the user', async () => {
      const { body: created } = await register(t, newAccount());
      const user = await t.host.clients.of(usersContract).getUser({ id: created.id });
      expect(user).toEqual(created);
    });

    it('getUser throws AppError 404 for an unknown id', async () => {
      const error = await t.host.clients
        .of(usersContract)
        .getUser({ id: randomUUID() })
        .catch((e: unknown) => e);
      expect(isAppError(error)).toBe(true);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ status: 404, code: 'users.user-not-found' });
    });

    it('getUser rejects an id that is not a uuid with 400', async () => {
      const error = await t.host.clients
        .of(usersContract)
        .getUser({ id: 'nope' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 400, code: 'validation-failed' });
      expect((error as AppError).errors?.map((e) => e.path)).toEqual(['id']);
    });

    it('getJwks returns the same keys as the HTTP route', async () => {
      const viaClient = await t.host.clients.of(usersContract).getJwks({});
      const viaHttp = await (await t.request('/api/users/.well-known/jwks.json')).json();
      expect(viaClient).toEqual(viaHttp);
      expect(viaClient.keys).toHaveLength(1);
    });
  });
});
