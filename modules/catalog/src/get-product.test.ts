// GET /api/catalog/products/{id}.
import { randomUUID } from 'node:crypto';
import { ProductSchema } from '@seam/catalog-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, fieldPaths, startCatalog, type CatalogTestHost } from './test-support.js';

let t: CatalogTestHost;

beforeAll(async () => {
  t = await startCatalog();
});
afterAll(() => t?.close());

describe('GET /products/{id}', () => {
  it('returns the product without a token', async () => {
    const created = await t.create({ price: { amount: 0, currency: 'USD' } });
    const res = await t.call('GET', `/products/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await res.json();
    expect(body).toEqual(created);
    expect(ProductSchema.parse(body).price).toEqual({ amount: 0, currency: 'USD' });
  });

  it('returns 400 with the field path when the id is not a uuid', async () => {
    const problem = await expectProblem(
      await t.call('GET', '/products/not-a-uuid'),
      400,
      'validation-failed',
    );
    expect(fieldPaths(problem)).toEqual(['id']);
    expect(problem.detail).toBe('The path is invalid: id');
  });

  it('returns a 404 problem for an unknown id', async () => {
    const id = randomUUID();
    const problem = await expectProblem(
      await t.call('GET', `/products/${id}`),
      404,
      'product-not-found',
    );
    expect(problem).toMatchObject({
      type: 'urn:seam:problem:product-not-found',
      title: 'Not found',
      status: 404,
      detail: `Product ${id} does not exist`,
      instance: `/api/catalog/products/${id}`,
    });
  });
});
