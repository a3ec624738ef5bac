// POST, PATCH and DELETE /api/catalog/products: admin only, validated, and a
// rejected request changes nothing.
import { randomUUID } from 'node:crypto';
import type { CreateProduct, Product } from '@seam/catalog-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectProblem,
  fieldPaths,
  newProduct,
  startCatalog,
  type CatalogTestHost,
} from './test-support.js';

let t: CatalogTestHost;

beforeAll(async () => {
  t = await startCatalog({ env: { SEAM_BODY_LIMIT_BYTES: '4096' } });
});
afterAll(() => t?.close());

/** unchanged runs `action` and checks the catalog has as many products after it as before. */
async function unchanged<T>(action: () => Promise<T>): Promise<T> {
  const before = await t.countProducts();
  const result = await action();
  expect(await t.countProducts()).toBe(before);
  return result;
}

describe('POST /products', () => {
  it('creates a product: 201, Location, and GET returns it', async () => {
    const input = newProduct({ description: '  trimmed name follows ', name: '  Moka Pot  ' });
    const res = await t.call('POST', '/products', input, t.adminToken);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Product;
    expect(res.headers.get('location')).toBe(`/api/catalog/products/${created.id}`);
    expect(created).toMatchObject({
      sku: input.sku,
      name: 'Moka Pot',
      description: 'trimmed name follows',
      price: input.price,
      category: input.category,
    });
    expect(created.createdAt).toBe(created.updatedAt);
    expect(Date.parse(created.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    const fetched = await t.call('GET', `/products/${created.id}`);
    expect(await fetched.json()).toEqual(created);
  });

  it('defaults the description to an empty string', async () => {
    const input: Partial<CreateProduct> = newProduct();
    delete input.description;
    const res = await t.call('POST', '/products', input, t.adminToken);
    expect(res.status).toBe(201);
    expect(((await res.json()) as Product).description).toBe('');
  });

  it('keeps the largest safe integer amount exactly', async () => {
    const created = await t.create({
      price: { amount: Number.MAX_SAFE_INTEGER, currency: 'JPY' },
    });
    expect(created.price.amount).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects a duplicate sku with 409 and keeps one product', async () => {
    const first = await t.create();
    const problem = await unchanged(async () =>
      expectProblem(
        await t.call('POST', '/products', newProduct({ sku: first.sku }), t.adminToken),
        409,
        'sku-taken',
      ),
    );
    expect(problem.detail).toBe(`A product with sku ${first.sku} already exists`);
  });

  it.each([
    ['a negative amount', { price: { amount: -1, currency: 'EUR' } }, ['price.amount']],
    ['a non-integer amount', { price: { amount: 12.5, currency: 'EUR' } }, ['price.amount']],
    ['an unsafe integer amount', { price: { amount: 2 ** 53, currency: 'EUR' } }, ['price.amount']],
    ['an amount as a string', { price: { amount: '100', currency: 'EUR' } }, ['price.amount']],
    ['a lowercase currency', { price: { amount: 100, currency: 'eur' } }, ['price.currency']],
    ['a 4-letter currency', { price: { amount: 100, currency: 'EURO' } }, ['price.currency']],
    ['a missing price', { price: undefined }, ['price']],
    ['a missing name', { name: undefined }, ['name']],
    ['a blank name', { name: '   ' }, ['name']],
    ['a lowercase sku', { sku: 'abc-1' }, ['sku']],
    ['a category that is not a slug', { category: 'Home Office' }, ['category']],
    ['an unknown field', { id: randomUUID() }, ['(root)']],
    [
      'several problems',
      { name: '', price: { amount: -5, currency: 'X' } },
      ['name', 'price.amount', 'price.currency'],
    ],
  ])('rejects %s with 400 and field paths', async (_what, overrides, paths) => {
    const body = { ...newProduct(), ...overrides };
    const problem = await unchanged(async () =>
      expectProblem(
        await t.call('POST', '/products', body, t.adminToken),
        400,
        'validation-failed',
      ),
    );
    expect(fieldPaths(problem).sort()).toEqual(paths);
    expect(problem.detail).toMatch(/^The request body is invalid: /);
  });

  it('rejects a body that is not JSON with 400 malformed-json', async () => {
    const problem = await unchanged(async () =>
      expectProblem(
        await t.request('/api/catalog/products', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
          body: '{"sku": "BROKEN-1", ',
        }),
        400,
        'malformed-json',
      ),
    );
    expect(problem.detail).toBe('The request body is not valid JSON');
  });

  it('rejects a body that is not application/json with 415', async () => {
    await unchanged(async () =>
      expectProblem(
        await t.request('/api/catalog/products', {
          method: 'POST',
          headers: { 'content-type': 'text/plain', authorization: `Bearer ${t.adminToken}` },
          body: JSON.stringify(newProduct()),
        }),
        415,
        'unsupported-media-type',
      ),
    );
  });

  it('rejects a body over the size limit with 413', async () => {
    const body = newProduct({ description: 'x'.repeat(5000) });
    await unchanged(async () =>
      expectProblem(await t.call('POST', '/products', body, t.adminToken), 413),
    );
  });
});

describe('authorization', () => {
  let product: Product;
  beforeAll(async () => {
    product = await t.create();
  });

  const attempts = () =>
    [
      ['POST /products', 'POST', '/products', newProduct()],
      ['PATCH /products/{id}', 'PATCH', `/products/${product.id}`, { name: 'Hijacked' }],
      ['DELETE /products/{id}', 'DELETE', `/products/${product.id}`, undefined],
    ] as const;

  it('answers 401 without a token, before validating the body', async () => {
    for (const [route, method, path, body] of attempts()) {
      const res = await unchanged(() => t.call(method, path, body));
      await expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate'), route).toBe('Bearer');
    }
    await expectProblem(await t.call('POST', '/products', { nonsense: true }), 401);
  });

  it('answers 401 for a malformed or forged token', async () => {
    await expectProblem(
      await t.request('/api/catalog/products', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Basic YWRtaW46YWRtaW4=' },
        body: JSON.stringify(newProduct()),
      }),
      401,
      'invalid-token',
    );
    const [header, payload] = t.adminToken.split('.');
    const forged = `${header}.${payload}.${Buffer.from('signature').toString('base64url')}`;
    await expectProblem(
      await t.call('POST', '/products', newProduct(), forged),
      401,
      'invalid-token',
    );
  });

  it('answers 403 to a customer', async () => {
    for (const [, method, path, body] of attempts()) {
      const res = await unchanged(() => t.call(method, path, body, t.customerToken));
      const problem = await expectProblem(res, 403, 'forbidden');
      expect(problem.detail).toBe('This operation needs the admin role');
    }
    const after = await t.call('GET', `/products/${product.id}`);
    expect(await after.json()).toEqual(product);
  });
});

describe('PATCH /products/{id}', () => {
  it('changes only the fields sent and moves updatedAt forward', async () => {
    const product = await t.create();
    const res = await t.call(
      'PATCH',
      `/products/${product.id}`,
      { price: { amount: 4200, currency: 'USD' } },
      t.adminToken,
    );
    expect(res.status).toBe(200);
    const updated = (await res.json()) as Product;
    expect(updated).toEqual({
      ...product,
      price: { amount: 4200, currency: 'USD' },
      updatedAt: updated.updatedAt,
    });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(product.updatedAt));
    expect(await (await t.call('GET', `/products/${product.id}`)).json()).toEqual(updated);
  });

  it('moves updatedAt forward on every update, even back to back', async () => {
    const product = await t.create();
    let previous = product.updatedAt;
    for (const name of ['One', 'Two', 'Three']) {
      const res = await t.call('PATCH', `/products/${product.id}`, { name }, t.adminToken);
      const updated = (await res.json()) as Product;
      expect(updated.name).toBe(name);
      expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(previous));
      previous = updated.updatedAt;
    }
  });

  it('updates several fields at once, including the sku to itself', async () => {
    const product = await t.create();
    const patch = {
      sku: product.sku,
      name: 'Renamed',
      description: 'Redescribed',
      category: 'renamed',
    };
    const res = await t.call('PATCH', `/products/${product.id}`, patch, t.adminToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject(patch);
  });

  it('rejects an empty patch with 400', async () => {
    const product = await t.create();
    const problem = await expectProblem(
      await t.call('PATCH', `/products/${product.id}`, {}, t.adminToken),
      400,
      'validation-failed',
    );
    expect(problem.errors?.[0]?.message).toMatch(/at least one/);
    await expectProblem(
      await t.call('PATCH', `/products/${product.id}`, undefined, t.adminToken),
      400,
      'validation-failed',
    );
    expect(await (await t.call('GET', `/products/${product.id}`)).json()).toEqual(product);
  });

  it('rejects invalid fields with field paths and changes nothing', async () => {
    const product = await t.create();
    const problem = await expectProblem(
      await t.call(
        'PATCH',
        `/products/${product.id}`,
        { name: 'Valid', price: { amount: -1, currency: 'EUR' } },
        t.adminToken,
      ),
      400,
      'validation-failed',
    );
    expect(fieldPaths(problem)).toEqual(['price.amount']);
    expect(await (await t.call('GET', `/products/${product.id}`)).json()).toEqual(product);
  });

  it('rejects a price without its currency', async () => {
    const product = await t.create();
    const problem = await expectProblem(
      await t.call('PATCH', `/products/${product.id}`, { price: { amount: 5 } }, t.adminToken),
      400,
    );
    expect(fieldPaths(problem)).toEqual(['price.currency']);
  });

  it('answers 404 for an unknown id and 400 for a non-uuid id', async () => {
    await expectProblem(
      await t.call('PATCH', `/products/${randomUUID()}`, { name: 'Ghost' }, t.adminToken),
      404,
      'product-not-found',
    );
    const problem = await expectProblem(
      await t.call('PATCH', '/products/42', { name: 'Ghost' }, t.adminToken),
      400,
    );
    expect(fieldPaths(problem)).toEqual(['id']);
  });

  it('answers 409 when the new sku is taken, and changes nothing', async () => {
    const [a, b] = [await t.create(), await t.create()];
    await expectProblem(
      await t.call('PATCH', `/products/${b.id}`, { sku: a.sku, name: 'Clash' }, t.adminToken),
      409,
      'sku-taken',
    );
    expect(await (await t.call('GET', `/products/${b.id}`)).json()).toEqual(b);
  });

  it('rejects malformed JSON and other content types', async () => {
    const product = await t.create();
    const send = (contentType: string, body: string) =>
      t.request(`/api/catalog/products/${product.id}`, {
        method: 'PATCH',
        headers: { 'content-type': contentType, authorization: `Bearer ${t.adminToken}` },
        body,
      });
    await expectProblem(await send('application/json', '{"name": '), 400, 'malformed-json');
    await expectProblem(await send('text/plain', '{"name":"x"}'), 415);
    expect(await (await t.call('GET', `/products/${product.id}`)).json()).toEqual(product);
  });
});

describe('DELETE /products/{id}', () => {
  it('deletes: 204 with no body, then GET and DELETE answer 404', async () => {
    const product = await t.create();
    const before = await t.countProducts();
    const res = await t.call('DELETE', `/products/${product.id}`, undefined, t.adminToken);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(await t.countProducts()).toBe(before - 1);
    await expectProblem(await t.call('GET', `/products/${product.id}`), 404, 'product-not-found');
    await unchanged(async () =>
      expectProblem(
        await t.call('DELETE', `/products/${product.id}`, undefined, t.adminToken),
        404,
        'product-not-found',
      ),
    );
  });

  it('frees the sku for a new product', async () => {
    const product = await t.create();
    await t.call('DELETE', `/products/${product.id}`, undefined, t.adminToken);
    const again = await t.create({ sku: product.sku });
    expect(again.id).not.toBe(product.id);
  });

  it('answers 400 for a non-uuid id', async () => {
    await unchanged(async () =>
      expectProblem(
        await t.call('DELETE', '/products/abc', undefined, t.adminToken),
        400,
        'validation-failed',
      ),
    );
  });
});
