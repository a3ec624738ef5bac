// GET /api/catalog/products: page shape, keyset pagination, limits, cursors,
// text search and the category filter.
import { randomUUID } from 'node:crypto';
import { ProductSchema, type Product } from '@seam/catalog-contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '@seam/platform';
import { products } from './schema.js';
import {
  expectProblem,
  fieldPaths,
  readPage,
  startCatalog,
  type CatalogTestHost,
} from './test-support.js';

let t: CatalogTestHost;

beforeAll(async () => {
  t = await startCatalog();
});
afterAll(() => t?.close());

const list = (query = '') => t.call('GET', `/products${query}`);

/** walk follows nextCursor from the first page to the last and returns every item. */
async function walk(query: string, limit: number): Promise<{ items: Product[]; pages: number }> {
  const items: Product[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const page = await readPage(await list(`?${params}`));
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(1000);
  } while (cursor);
  return { items, pages };
}

describe('an empty catalog', () => {
  it('lists no products and no next cursor', async () => {
    expect(await readPage(await list())).toEqual({ items: [], nextCursor: null });
  });
});

/** listingOrder sorts products the way the listing does: by createdAt, then id. */
function listingOrder(items: Product[]): Product[] {
  return [...items].sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
  );
}

describe('listing and pagination', () => {
  const created: Product[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 23; i++) created.push(await t.create({ category: 'pagination' }));
  });

  it('returns 20 products by default, oldest first, with a next cursor', async () => {
    const page = await readPage(await list('?category=pagination'));
    expect(page.items).toHaveLength(20);
    expect(page.items).toEqual(listingOrder(created).slice(0, 20));
    expect(page.nextCursor).toEqual(expect.any(String));
    for (const item of page.items) expect(ProductSchema.safeParse(item).success).toBe(true);
  });

  it('walks every product exactly once and ends with a null cursor', async () => {
    for (const limit of [1, 5, 7, 23, 100]) {
      const { items, pages } = await walk('category=pagination', limit);
      expect(items.map((p) => p.id)).toEqual(listingOrder(created).map((p) => p.id));
      expect(pages).toBe(Math.max(1, Math.ceil(created.length / limit)));
    }
  });

  it('walks products sharing one createdAt exactly once, ordered by id', async () => {
    const createdAt = new Date('2030-01-01T00:00:00.000Z');
    const rows = Array.from({ length: 11 }, (_, i) => ({
      sku: `TIE-${i}-${randomUUID().slice(0, 8).toUpperCase()}`,
      name: `Tied ${i}`,
      priceAmount: 100,
      priceCurrency: 'USD',
      category: 'ties',
      createdAt,
      updatedAt: createdAt,
    }));
    await t.host.database.db.insert(products).values(rows);
    const { items } = await walk('category=ties', 3);
    expect(items).toHaveLength(11);
    expect(new Set(items.map((p) => p.id)).size).toBe(11);
    expect(items.map((p) => p.id)).toEqual(items.map((p) => p.id).sort());
  });

  it('shows a product created mid-walk on a later page, never twice', async () => {
    const first = await readPage(await list('?category=pagination&limit=10'));
    const late = await t.create({ category: 'pagination' });
    created.push(late);
    const rest = await walk(`category=pagination&cursor=${first.nextCursor}`, 10);
    const ids = [...first.items, ...rest.items].map((p) => p.id);
    expect(ids).toEqual(listingOrder(created).map((p) => p.id));
  });

  it('accepts limits from 1 to 100', async () => {
    expect((await readPage(await list('?limit=1'))).items).toHaveLength(1);
    expect((await readPage(await list('?limit=100'))).items.length).toBeGreaterThan(20);
  });

  it.each(['0', '101', '-1', '1.5', 'ten', ''])('rejects limit=%j with a 400', async (limit) => {
    const problem = await expectProblem(await list(`?limit=${limit}`), 400, 'validation-failed');
    expect(fieldPaths(problem)).toEqual(['limit']);
    expect(problem.detail).toContain('query string');
  });
});

describe('cursors', () => {
  it.each([
    ['not base64url', 'not a cursor!'],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['the wrong shape', Buffer.from(JSON.stringify({ a: 1 })).toString('base64url')],
    ['a bad date', Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url')],
    [
      'a bad id',
      Buffer.from(JSON.stringify([new Date().toISOString(), 'x'])).toString('base64url'),
    ],
    ['SQL', Buffer.from(`["2025-01-01T00:00:00Z'--", "x"]`).toString('base64url')],
  ])('rejects a cursor that is %s with a 400 problem', async (_what, cursor) => {
    const problem = await expectProblem(
      await list(`?cursor=${encodeURIComponent(cursor)}`),
      400,
      'invalid-cursor',
    );
    expect(fieldPaths(problem)).toEqual(['cursor']);
  });

  it('rejects a tampered cursor with a 400, never a 500', async () => {
    const cursor = encodeCursor({ createdAt: new Date(), id: randomUUID() });
    for (let i = 0; i < cursor.length; i += 3) {
      const flipped = cursor[i] === 'A' ? 'B' : 'A';
      const tampered = cursor.slice(0, i) + flipped + cursor.slice(i + 1);
      const res = await list(`?cursor=${tampered}`);
      expect([200, 400], tampered).toContain(res.status);
    }
  });

  it('accepts a well-formed cursor past the end as an empty last page', async () => {
    const cursor = encodeCursor({ createdAt: new Date('2999-01-01T00:00:00Z'), id: randomUUID() });
    expect(await readPage(await list(`?cursor=${cursor}`))).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});

describe('search and filters', () => {
  let grinder: Product;
  let kettle: Product;
  let socks: Product;
  let puzzle: Product;
  let snake: Product;
  let plain: Product;

  beforeAll(async () => {
    grinder = await t.create({
      sku: 'SRCH-GRN-001',
      name: 'Conical Burr Grinder',
      description: 'Steel burrs',
      category: 'search-coffee',
    });
    kettle = await t.create({
      sku: 'SRCH-KTL-001',
      name: 'Gooseneck Kettle',
      description: 'Pairs well with a GRINDER',
      category: 'search-coffee',
    });
    socks = await t.create({
      sku: 'SRCH-SCK-001',
      name: '100% Merino Socks',
      description: 'Warm',
      category: 'search-apparel',
    });
    puzzle = await t.create({
      sku: 'SRCH-PZL-001',
      name: '1000 Piece Puzzle',
      description: 'Alpine lake',
      category: 'search-toys',
    });
    snake = await t.create({
      sku: 'SRCH_SNK_001',
      name: 'snake_case mug',
      description: 'For engineers',
      category: 'search-toys',
    });
    plain = await t.create({
      sku: 'SRCH-SNX-001',
      name: 'snakeXcase mug',
      description: 'Not an underscore',
      category: 'search-toys',
    });
  });

  /** search answers the skus found, sorted, as the order of products created together may tie. */
  const search = async (query: string) =>
    (await readPage(await list(`?limit=100&${query}`))).items.map((p) => p.sku).sort();

  it('matches name and description case-insensitively', async () => {
    expect(await search('q=grinder')).toEqual([grinder.sku, kettle.sku].sort());
    expect(await search('q=GOOSENECK')).toEqual([kettle.sku]);
  });

  it('matches the sku', async () => {
    expect(await search('q=srch-pzl')).toEqual([puzzle.sku]);
  });

  it('treats % in q as a literal percent sign', async () => {
    expect(await search(`q=${encodeURIComponent('100%')}`)).toEqual([socks.sku]);
    expect(await search(`q=${encodeURIComponent('%')}`)).toEqual([socks.sku]);
  });

  it('treats _ in q as a literal underscore', async () => {
    expect(await search('q=snake_case')).toEqual([snake.sku]);
    expect(await search('q=SRCH_')).toEqual([snake.sku]);
    expect(plain.sku).not.toContain('_');
  });

  it('treats a backslash in q as a literal character', async () => {
    expect(await search(`q=${encodeURIComponent('\\')}`)).toEqual([]);
  });

  it('ignores a blank q', async () => {
    expect((await search('q=%20%20&category=search-toys')).length).toBe(3);
  });

  it('filters by category, alone and with q', async () => {
    expect(await search('category=search-coffee')).toEqual([grinder.sku, kettle.sku].sort());
    expect(await search('category=search-toys&q=mug')).toEqual([snake.sku, plain.sku].sort());
    expect(await search('category=search-apparel&q=grinder')).toEqual([]);
    expect(await search('category=no-such-category')).toEqual([]);
  });

  it('paginates within a filter', async () => {
    const { items } = await walk('category=search-toys', 1);
    expect(items.map((p) => p.sku)).toEqual(listingOrder([puzzle, snake, plain]).map((p) => p.sku));
  });

  it('rejects a malformed category and an overlong q with field errors', async () => {
    expect(fieldPaths(await expectProblem(await list('?category=Not%20A%20Slug'), 400))).toEqual([
      'category',
    ]);
    expect(fieldPaths(await expectProblem(await list(`?q=${'x'.repeat(101)}`), 400))).toEqual([
      'q',
    ]);
  });
});
