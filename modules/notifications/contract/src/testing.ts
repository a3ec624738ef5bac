// A fake notifications module for other modules' tests (import from
// '@seam/notifications-contract/testing'): it records every event it consumes.
// Notifications has no operations and publishes no events, so nothing calls it
// and it has no `client`, `calls`, `before` or `unavailable` switch like the other
// fakes: what a publisher (users, orders) can check against it is only that its
// events reach the module that sends the emails.
import {
  on,
  type EventDefinition,
  type EventEnvelope,
  type ModuleDefinition,
} from '@seam/platform';
import { fakeModule } from '@seam/platform/testing';
import { notificationsContract, type NotificationsContract } from './index.js';

/** FakeNotifications is what one fake notifications module received. */
export interface FakeNotifications {
  /** events is every event the fake consumed, in the order they arrived. */
  readonly events: EventEnvelope[];
  /** module hosts the fake as the notifications module. */
  readonly module: ModuleDefinition<NotificationsContract>;
}

/**
 * fakeNotifications makes a fake notifications module consuming `consumes` (a
 * contract may import only the platform, so the events — users' and orders' —
 * are the caller's to give).
 *
 * @example
 * const notifications = fakeNotifications({ consumes: [UserRegistered] });
 * const t = await startTestHost({ modules: [usersModule, notifications.module], jwks });
 * await eventually(() => expect(notifications.events).toHaveLength(1));
 */
export function fakeNotifications({
  consumes,
}: {
  consumes: readonly EventDefinition[];
}): FakeNotifications {
  const events: EventEnvelope[] = [];
  const handlers = consumes.map((event) =>
    on(event, async (envelope) => {
      events.push(envelope);
    }),
  );
  return {
    events,
    module: fakeModule(notificationsContract, { operations: {}, handlers, routes() {} }, consumes),
  };
}
