// users.UserRegistered → a welcome message, delivered through the internal
// event endpoint as the bus would, once per event.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  deliveryResult,
  expectProblem,
  readItems,
  registered,
  startNotifications,
  type NotificationsTestHost,
} from './test-support.js';

let t: NotificationsTestHost;
beforeAll(async () => {
  // Alone: a welcome needs nothing from the users module, the payload has the address.
  t = await startNotifications('alone');
});
afterAll(() => t?.close());

const newUser = () => {
  const id = randomUUID();
  return { id, email: `${id.slice(0, 8)}@example.com`, name: 'Grace Hopper' };
};

it('records a welcome to the registered address, visible to that user', async () => {
  const user = newUser();
  expect(await deliveryResult(await t.deliver(registered(user)))).toBe('processed');
  const [welcome, ...rest] = await readItems(await t.list(await t.tokenFor(user.id)));
  expect(rest).toEqual([]);
  expect(welcome).toMatchObject({
    userId: user.id,
    kind: 'welcome',
    recipient: user.email,
    subject: 'Welcome to Seam, Grace Hopper!',
    orderId: null,
  });
  expect(welcome?.body).toContain(user.email);
});

it('records one welcome when the same event is delivered twice', async () => {
  const user = newUser();
  const event = registered(user);
  expect(await deliveryResult(await t.deliver(event))).toBe('processed');
  expect(await deliveryResult(await t.deliver(event))).toBe('duplicate');
  expect(await t.recorded(user.id)).toHaveLength(1);
});

it('rejects a payload that breaks the event schema and records nothing', async () => {
  const user = newUser();
  const event = registered(user);
  const res = await t.deliver({ ...event, payload: { userId: user.id, email: user.email } });
  await expectProblem(res, 400, 'invalid-event');
  expect(await t.recorded(user.id)).toEqual([]);
});
