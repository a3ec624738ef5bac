// GET /api/notifications: my notifications, newest first, `limit` 1..100, a page at a time.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications } from './schema.js';
import {
  expectProblem,
  readItems,
  startNotifications,
  type NotificationsTestHost,
} from './test-support.js';

let t: NotificationsTestHost;
beforeAll(async () => {
  t = await startNotifications('alone');
});
afterAll(() => t?.close());

/** seed stores `count` welcome notifications for a user, one second apart, oldest first. */
async function seed(userId: string, count: number) {
  const base = Date.now() - count * 1000;
  await t.host.database.db.insert(notifications).values(
    Array.from({ length: count }, (_, i) => ({
      userId,
      kind: 'welcome' as const,
      recipient: 'ada@example.com',
      subject: `Message ${i}`,
      body: `Body ${i}`,
      createdAt: new Date(base + i * 1000),
    })),
  );
}

it('answers an empty list to a user without notifications', async () => {
  expect(await readItems(await t.list(await t.tokenFor(randomUUID())))).toEqual([]);
});

it('lists my notifications newest first, in the contract shape', async () => {
  const userId = randomUUID();
  await seed(userId, 3);
  const items = await readItems(await t.list(await t.tokenFor(userId)));
  expect(items.map((item) => item.subject)).toEqual(['Message 2', 'Message 1', 'Message 0']);
  expect(items[0]).toEqual({
    id: expect.any(String),
    userId,
    kind: 'welcome',
    recipient: 'ada@example.com',
    subject: 'Message 2',
    body: 'Body 2',
    orderId: null,
    createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  });
});

it("never shows another user's notifications, not even to an admin", async () => {
  const ada = randomUUID();
  const admin = randomUUID();
  await seed(ada, 2);
  expect(await readItems(await t.list(await t.tokenFor(randomUUID())))).toEqual([]);
  expect(await readItems(await t.list(await t.tokenFor(admin, 'admin')))).toEqual([]);
});

it('returns at most 50 by default and `limit` when given', async () => {
  const userId = randomUUID();
  await seed(userId, 120);
  const token = await t.tokenFor(userId);
  expect(await readItems(await t.list(token))).toHaveLength(50);
  const one = await readItems(await t.list(token, '?limit=1'));
  expect(one.map((item) => item.subject)).toEqual(['Message 119']);
  expect(await readItems(await t.list(token, '?limit=100'))).toHaveLength(100);
});

it('pages through every notification with nextCursor, none twice or skipped, also when new ones arrive', async () => {
  const userId = randomUUID();
  await seed(userId, 120);
  const token = await t.tokenFor(userId);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await t.list(token, `?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { subject: string }[]; nextCursor: string | null };
    seen.push(...page.items.map((item) => item.subject));
    cursor = page.nextCursor;
    pages += 1;
    // A message recorded while the client pages is newer than every page: it shifts nothing.
    if (pages === 1) await seed(userId, 1);
  } while (cursor && pages < 10);
  expect(pages).toBe(3);
  expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => `Message ${119 - i}`));
});

describe('rejections', () => {
  it.each(['not-a-cursor!', 'WyJub3QgYSBkYXRlIiwiMSJd', 'x'.repeat(513)])(
    'answers 400 for cursor=%s',
    async (cursor) => {
      const problem = await expectProblem(
        await t.list(await t.tokenFor(randomUUID()), `?cursor=${cursor}`),
        400,
      );
      expect(problem.errors?.map((e) => e.path)).toEqual(['cursor']);
    },
  );

  it('answers 401 without a token', async () => {
    await expectProblem(await t.list(undefined), 401, 'unauthorized');
  });

  it.each(['0', '101', '-1', '2.5', 'ten', ''])('answers 400 for limit=%s', async (limit) => {
    const problem = await expectProblem(
      await t.list(await t.tokenFor(randomUUID()), `?limit=${limit}`),
      400,
      'validation-failed',
    );
    expect(problem.errors?.map((e) => e.path)).toEqual(['limit']);
  });
});
