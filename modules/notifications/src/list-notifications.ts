// GET / (→ /api/notifications): the signed-in user's notifications, newest first,
// keyset-paginated over (created_at, id) descending.
import { notificationsContract, type NotificationPage } from '@seam/notifications-contract';
import {
  AppError,
  beyondCursor,
  decodeCursor,
  keysetPage,
  z,
  type Database,
  type ModuleApp,
} from '@seam/platform';
import { and, desc, eq, type SQL } from 'drizzle-orm';
import { toNotification } from './notification-row.js';
import { notifications } from './schema.js';

/**
 * listNotifications returns one page of `userId`'s notifications. The next page
 * starts strictly after (older than) the page's last one, so messages recorded
 * meanwhile never shift a page or appear twice.
 */
export async function listNotifications(
  db: Database,
  userId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<NotificationPage> {
  const conditions: SQL[] = [eq(notifications.userId, userId)];
  if (query.cursor) {
    conditions.push(
      beyondCursor(
        notifications.createdAt,
        notifications.id,
        query.cursor,
        'desc',
        'notifications.invalid-cursor',
      ),
    );
  }
  const rows = await db
    .select()
    .from(notifications)
    .where(and(...conditions))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(query.limit + 1);
  const page = keysetPage(rows, query.limit);
  return { items: page.rows.map(toNotification), nextCursor: page.nextCursor };
}

const UserIdSchema = z.uuid();

/** listNotificationsRoute registers GET /. Every user, admins too, sees only their own. */
export function listNotificationsRoute(app: ModuleApp, db: Database): void {
  app.openapi(notificationsContract.routes.listNotifications, async (c) => {
    const user = c.get('user');
    if (!user) throw AppError.unauthorized('This operation needs a bearer access token');
    // A token whose subject is not a user id names no one's notifications.
    const query = c.req.valid('query');
    if (!UserIdSchema.safeParse(user.id).success) {
      // Even so its cursor is checked: a bad one is the same 400 for everyone.
      if (query.cursor) decodeCursor(query.cursor, 'notifications.invalid-cursor');
      return c.json({ items: [], nextCursor: null }, 200);
    }
    return c.json(await listNotifications(db, user.id, query), 200);
  });
}
