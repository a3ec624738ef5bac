// The merge of per-module OpenAPI documents: the API's servers and licence are
// added, and an operation without an operationId, security or a 4xx answer — or
// with another's operationId — stops the start-up with every offender named.
import { createRoute, z, type RouteConfig } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { BEARER_SECURITY, PUBLIC_SECURITY } from './auth.js';
import {
  API_LICENSE,
  API_SERVERS,
  jsonContent,
  mergeOpenApiDocuments,
  problemResponses,
  routesDocument,
} from './openapi.js';

const INFO = { title: 'Test API', version: '1.0.0' };

const route = (overrides: Partial<RouteConfig> & Pick<RouteConfig, 'path'>) =>
  createRoute({
    method: 'get',
    summary: 'A thing',
    tags: ['things'],
    operationId: 'getThing',
    security: PUBLIC_SECURITY,
    responses: { 200: jsonContent(z.object({ ok: z.boolean() }), 'OK'), ...problemResponses(404) },
    ...overrides,
  });

const documentOf = (routes: Record<string, RouteConfig>, name = 'things') =>
  routesDocument({ name, description: 'Things' }, routes, '1.0.0');

describe('mergeOpenApiDocuments', () => {
  it('adds the servers and the licence to the merged document', () => {
    const merged = mergeOpenApiDocuments(INFO, [documentOf({ get: route({ path: '/{id}' }) })]);
    expect(merged.servers).toEqual(API_SERVERS);
    expect(merged.info).toEqual({ ...INFO, license: API_LICENSE });
    expect(merged.paths?.['/api/things/{id}']?.get).toMatchObject({
      operationId: 'getThing',
      security: [],
    });
  });

  it('keeps a licence the caller gives', () => {
    const license = { name: 'MIT', identifier: 'MIT' };
    const merged = mergeOpenApiDocuments({ ...INFO, license }, []);
    expect(merged.info.license).toEqual(license);
  });

  it('throws, naming each route, when an operation lacks an operationId, security or a 4xx', () => {
    const routes = {
      anonymous: route({ path: '/a', operationId: undefined }),
      unsecured: route({ path: '/b', operationId: 'getB', security: undefined }),
      hopeful: route({
        path: '/c',
        operationId: 'getC',
        security: BEARER_SECURITY,
        responses: { 200: jsonContent(z.object({}), 'OK') },
      }),
      shouting: route({ path: '/d', operationId: 'Get-D' }),
    };
    const merge = () => mergeOpenApiDocuments(INFO, [documentOf(routes)]);
    expect(merge).toThrow(/GET \/api\/things\/a needs an operationId/);
    expect(merge).toThrow(/GET \/api\/things\/b needs security/);
    expect(merge).toThrow(/GET \/api\/things\/c needs at least one 4xx answer/);
    expect(merge).toThrow(/GET \/api\/things\/d needs an operationId in camelCase/);
  });

  it('throws when two modules use the same operationId', () => {
    const merge = () =>
      mergeOpenApiDocuments(INFO, [
        documentOf({ get: route({ path: '/{id}' }) }, 'things'),
        documentOf({ get: route({ path: '/{id}' }) }, 'others'),
      ]);
    expect(merge).toThrow(
      'GET /api/others/{id} repeats the operationId "getThing" of GET /api/things/{id}',
    );
  });
});

describe('routesDocument', () => {
  it('documents route configs as a router serving them would, without middleware or hidden routes', () => {
    const document = documentOf({
      shown: route({ path: '/{id}', middleware: [async (_c, next) => next()] }),
      hidden: route({ path: '/hidden', operationId: 'hidden', hide: true }),
    });
    expect(Object.keys(document.paths ?? {})).toEqual(['/api/things/{id}']);
    expect(document.paths?.['/api/things/{id}']?.get).not.toHaveProperty('middleware');
  });
});
