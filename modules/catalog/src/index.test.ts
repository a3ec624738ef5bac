// The catalog's exported surface, its OpenAPI document, and its operations
// through the typed client, in-process and over HTTP.
import { randomUUID } from 'node:crypto';
import { catalogContract, ProductSchema } from '@seam/catalog-contract';
import { AppError, createClient, createHttpTransport, type ModuleClient } from '@seam/platform';
import { documentedOperations } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import catalogModule from './index.js';
import { startCatalog, type CatalogTestHost } from './test-support.js';

const SERVICE_TOKEN = 'catalog-test-service-token-0123456789abcdef';

let t: CatalogTestHost;

beforeAll(async () => {
  t = await startCatalog({ listen: true, env: { SEAM_SERVICE_TOKEN: SERVICE_TOKEN } });
});
afterAll(() => t?.close());

describe('exported surface', () => {
  it('pins the contract name, operations and routes', () => {
    expect(catalogModule.contract).toBe(catalogContract);
    expect(catalogContract.name).toBe('catalog');
    expect(Object.keys(catalogContract.operations)).toEqual([
      'listProducts',
      'getProduct',
      'getProducts',
    ]);
    expect(
      Object.fromEntries(
        Object.entries(catalogContract.operations).map(([name, op]) => [name, op.idempotent]),
      ),
    ).toEqual({ listProducts: true, getProduct: true, getProducts: true });
    expect(
      Object.entries(catalogContract.routes).map(
        ([name, route]) => `${name} ${route.method.toUpperCase()} ${route.path}`,
      ),
    ).toEqual([
      'listProducts GET /products',
      'getProduct GET /products/{id}',
      'createProduct POST /products',
      'updateProduct PATCH /products/{id}',
      'deleteProduct DELETE /products/{id}',
    ]);
  });

  it('ships its migrations folder', async () => {
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(catalogModule.migrationsFolder)).toContain('meta');
  });
});

describe('OpenAPI document', () => {
  it('documents every route with summary, tags, error responses and security', () => {
    const operations = documentedOperations(t.host.document, 'catalog');
    const expected: Record<string, { statuses: string[]; admin: boolean }> = {
      'get /api/catalog/products': { statuses: ['200', '400'], admin: false },
      'get /api/catalog/products/{id}': { statuses: ['200', '400', '404'], admin: false },
      'post /api/catalog/products': {
        statuses: ['201', '400', '401', '403', '409', '413', '415'],
        admin: true,
      },
      'patch /api/catalog/products/{id}': {
        statuses: ['200', '400', '401', '403', '404', '409', '413', '415'],
        admin: true,
      },
      'delete /api/catalog/products/{id}': {
        statuses: ['204', '400', '401', '403', '404'],
        admin: true,
      },
    };
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(
      Object.keys(expected).sort(),
    );
    for (const { path, method, op } of operations) {
      const want = expected[`${method} ${path}`]!;
      expect(op.summary, path).toEqual(expect.any(String));
      expect(op.description, path).toEqual(expect.any(String));
      expect(op.tags).toEqual(['catalog']);
      expect(Object.keys(op.responses).sort()).toEqual(want.statuses);
      if (want.admin) expect(op.security).toEqual([{ bearerAuth: [] }]);
      else expect(op.security).toEqual([]);
    }
  });

  it('registers the schemas as components with examples', () => {
    const schemas = t.host.document.components?.schemas as Record<string, { example?: unknown }>;
    for (const name of [
      'Product',
      'Money',
      'ProductPage',
      'CreateProduct',
      'UpdateProduct',
      'Problem',
    ]) {
      expect(schemas[name], name).toBeDefined();
    }
    for (const name of ['Product', 'Money', 'ProductPage', 'CreateProduct', 'UpdateProduct']) {
      expect(schemas[name]?.example, name).toBeDefined();
    }
    expect(ProductSchema.safeParse(schemas.Product?.example).success).toBe(true);
  });

  it('documents the query parameters of the listing', () => {
    const list = t.host.document.paths?.['/api/catalog/products']?.get as {
      parameters: { name: string; in: string }[];
    };
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toEqual([
      'query:limit',
      'query:cursor',
      'query:q',
      'query:category',
    ]);
  });
});

describe.each([
  ['in-process', () => t.host.clients.of(catalogContract)],
  [
    'HTTP',
    () =>
      createClient(
        catalogContract,
        createHttpTransport({ baseUrl: t.url!, serviceToken: SERVICE_TOKEN }),
        { caller: 'orders', defaultTimeoutMs: 5000 },
      ),
  ],
] as const)('typed client (%s)', (_transport, makeClient) => {
  let catalog: ModuleClient<typeof catalogContract>;
  beforeAll(() => {
    catalog = makeClient();
  });

  it('getProduct returns the product', async () => {
    const created = await t.create();
    expect(await catalog.getProduct({ id: created.id })).toEqual(created);
  });

  it('getProduct rejects an unknown id with a 404 AppError', async () => {
    const error = await catalog.getProduct({ id: randomUUID() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 404, code: 'product-not-found' });
  });

  it('getProduct rejects a non-uuid id with a 400 validation AppError', async () => {
    const error = await catalog.getProduct({ id: 'nope' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400, code: 'validation-failed' });
    expect((error as AppError).errors?.map((e) => e.path)).toEqual(['id']);
  });

  it('getProducts returns products in request order, once each, leaving out unknown ids', async () => {
    const [a, b, c] = [await t.create(), await t.create(), await t.create()];
    const { items } = await catalog.getProducts({
      ids: [c.id, randomUUID(), a.id, c.id, b.id],
    });
    expect(items.map((p) => p.id)).toEqual([c.id, a.id, b.id]);
    expect(items[1]).toEqual(a);
  });

  it('getProducts answers an empty list when no id exists', async () => {
    expect(await catalog.getProducts({ ids: [randomUUID()] })).toEqual({ items: [] });
  });

  it('getProducts rejects no ids and more than 100 ids', async () => {
    await expect(catalog.getProducts({ ids: [] })).rejects.toMatchObject({ status: 400 });
    const ids = Array.from({ length: 101 }, () => randomUUID());
    await expect(catalog.getProducts({ ids })).rejects.toMatchObject({
      status: 400,
      code: 'validation-failed',
    });
    const hundred = Array.from({ length: 100 }, () => randomUUID());
    await expect(catalog.getProducts({ ids: hundred })).resolves.toEqual({ items: [] });
  });
});
