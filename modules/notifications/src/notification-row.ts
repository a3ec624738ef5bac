// Writing and reading notifications.notifications rows.
import type { Notification } from '@seam/notifications-contract';
import type { Database } from '@seam/platform';
import type { Message } from './messages.js';
import { notifications, type NotificationRow } from './schema.js';

/** NewNotification is one message to record for a user. */
export interface NewNotification extends Message {
  userId: string;
  kind: Notification['kind'];
  recipient: string;
  orderId?: string;
}

/** recordNotification writes a message in `tx` (the event handler's transaction). */
export async function recordNotification(tx: Database, message: NewNotification): Promise<void> {
  await tx.insert(notifications).values({
    userId: message.userId,
    kind: message.kind,
    recipient: message.recipient,
    subject: message.subject,
    body: message.body,
    orderId: message.orderId ?? null,
  });
}

/** toNotification renders a row as the contract's JSON-shaped Notification. */
export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    userId: row.userId,
    kind: row.kind,
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    orderId: row.orderId,
    createdAt: row.createdAt.toISOString(),
  };
}
