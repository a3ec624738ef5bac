// GET / (→ /api/notifications): the signed-in user's notifications, newest first.
import { notificationsContract, type Notification } from '@seam/notifications-contract';
import { AppError, z, type Database, type ModuleApp } from '@seam/platform';
import { desc, eq } from 'drizzle-orm';
import { toNotification } from './notification-row.js';
import { notifications } from './schema.js';

/** listNotifications returns the newest `limit` notifications of `userId`. */
export async function listNotifications(
  db: Database,
  userId: string,
  limit: number,
): Promise<Notification[]> {
  const rows = await db
    .select()
    .from(notifications)
    .where(eq(notifications.userId, userId))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(limit);
  return rows.map(toNotification);
}

const UserIdSchema = z.uuid();

/** listNotificationsRoute registers GET /. Every user, admins too, sees only their own. */
export function listNotificationsRoute(app: ModuleApp, db: Database): void {
  app.openapi(notificationsContract.routes.listNotifications, async (c) => {
    const user = c.get('user');
    if (!user) throw AppError.unauthorized('This operation needs a bearer access token');
    // A token whose subject is not a user id names no one's notifications.
    if (!UserIdSchema.safeParse(user.id).success) return c.json({ items: [] }, 200);
    const { limit } = c.req.valid('query');
    return c.json({ items: await listNotifications(db, user.id, limit) }, 200);
  });
}
