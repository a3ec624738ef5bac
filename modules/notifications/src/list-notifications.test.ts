// GET /api/notifications: my notifications, newest first, `limit` 1..100.
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

describe('rejections', () => {
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
