// The notifications contract: the messages Seam would send a shopper.
import {
  BEARER_SECURITY,
  CursorQuerySchema,
  createRoute,
  defineContract,
  jsonContent,
  problemResponses,
  requireAuth,
  z,
} from '@seam/platform';

/** NOTIFICATION_EXAMPLE is the message recorded when an order is confirmed. */
const NOTIFICATION_EXAMPLE = {
  id: 'e4d3c2b1-a098-4f7e-8d6c-5b4a39281706',
  userId: 'b7e2d4c1-8a3f-4e6b-9c5d-2f1a0e9d8c7b',
  kind: 'order-confirmed',
  recipient: 'ada@example.com',
  subject: 'Your order 3f1c9a7e is confirmed',
  body: 'Thank you for your order. We will ship 2 items for EUR 498.00 to London.',
  orderId: '3f1c9a7e-2b4d-4c8e-9f6a-1d2e3c4b5a69',
  createdAt: '2025-01-06T09:00:02.000Z',
} as const;

export const NotificationSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    kind: z.enum(['welcome', 'order-confirmed', 'order-failed', 'order-cancelled']),
    recipient: z.string().openapi({ example: 'ada@example.com' }),
    subject: z.string().openapi({ example: 'Your order 5f0c… is confirmed' }),
    body: z.string(),
    orderId: z.uuid().nullable(),
    createdAt: z.string(),
  })
  .openapi('Notification', { example: NOTIFICATION_EXAMPLE });
export type Notification = z.output<typeof NotificationSchema>;

/** NotificationPageSchema is one page of notifications; `nextCursor` asks for the next (older) one. */
export const NotificationPageSchema = z
  .object({ items: z.array(NotificationSchema), nextCursor: z.string().nullable() })
  .openapi('NotificationPage', { example: { items: [NOTIFICATION_EXAMPLE], nextCursor: null } });
export type NotificationPage = z.output<typeof NotificationPageSchema>;

const listNotifications = createRoute({
  method: 'get',
  path: '/',
  operationId: 'listNotifications',
  summary: 'List my notifications',
  description:
    'The messages sent (recorded) to you, newest first, a page at a time: pass the `nextCursor` of a page as `cursor` for the next (older) one; it is null on the last page.',
  tags: ['notifications'],
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  request: {
    query: z.object({
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(100)
        .default(50)
        .openapi({ param: { name: 'limit', in: 'query' }, example: 50 }),
      cursor: CursorQuerySchema,
    }),
  },
  responses: {
    200: jsonContent(NotificationPageSchema, 'A page of your notifications'),
    ...problemResponses(400, 401),
  },
});

export const notificationsContract = defineContract({
  name: 'notifications',
  description: 'Records the emails Seam would send: welcome, order confirmed, failed, cancelled.',
  operations: {},
  routes: { listNotifications },
});

export type NotificationsContract = typeof notificationsContract;
