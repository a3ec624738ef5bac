// users.UserRegistered → a welcome message to the new account's email.
import { on } from '@seam/platform';
import { UserRegistered } from '@seam/users-contract';
import { welcomeMessage } from './messages.js';
import { recordNotification } from './notification-row.js';

/** welcomeOnUserRegistered records the welcome; the payload carries the address. */
export const welcomeOnUserRegistered = on(UserRegistered, async (event, { tx }) => {
  const { userId, email, name } = event.payload;
  await recordNotification(tx, {
    userId,
    kind: 'welcome',
    recipient: email,
    ...welcomeMessage(name, email),
  });
});
