// The notifications contract: the messages Seam would send a shopper.
import {
  BEARER_SECURITY,
  createRoute,
  defineContract,
  jsonContent,
  problemResponses,
  requireAuth,
  z,
} from '@seam/platform';

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
  .openapi('Notification');
export type Notification = z.output<typeof NotificationSchema>;

const listNotifications = createRoute({
  method: 'get',
  path: '/',
  summary: 'List my notifications',
  description: 'The messages sent (recorded) to you, newest first.',
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
        .openapi({ param: { name: 'limit', in: 'query' } }),
    }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(NotificationSchema) }), 'Your notifications'),
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
