// Admin routes over the event deliveries of the modules hosted by this process:
// list them (failed ones first of interest) and put a failed one back in the queue.
import { createRoute, z } from '@hono/zod-openapi';
import { BEARER_SECURITY, requireAuth } from '../http/auth.js';
import { createModuleApp, jsonContent, problemResponses } from '../http/openapi.js';
import type { EventBus } from './bus.js';

export const DeliverySchema = z
  .object({
    id: z.uuid(),
    module: z.string().openapi({ description: 'The publishing module', example: 'orders' }),
    eventId: z.uuid(),
    type: z.string().openapi({ example: 'orders.OrderConfirmed' }),
    subscriber: z.string().openapi({ example: 'notifications' }),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempts: z.number().int(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable(),
    occurredAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi('EventDelivery');

const listDeliveries = createRoute({
  method: 'get',
  path: '/deliveries',
  summary: 'List event deliveries',
  description:
    'Deliveries of events published by the modules this process hosts, newest first. Filter by status to see what failed. Admin only.',
  tags: ['events'],
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: {
    query: z.object({
      status: z.enum(['pending', 'delivered', 'failed']).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonContent(z.object({ items: z.array(DeliverySchema) }), 'The deliveries'),
    ...problemResponses(400, 401, 403),
  },
});

const retryDelivery = createRoute({
  method: 'post',
  path: '/deliveries/{id}/retry',
  summary: 'Retry a failed event delivery',
  description: 'Puts a failed delivery back in the queue with a fresh attempt budget. Admin only.',
  tags: ['events'],
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: { params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: jsonContent(DeliverySchema, 'The delivery, pending again'),
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

/** EVENTS_ROUTER_NAME is the URL segment of the admin routes: /api/events. */
export const EVENTS_ROUTER_NAME = 'events';

export function eventsAdminRouter(bus: EventBus) {
  const app = createModuleApp();
  app.openapi(listDeliveries, async (c) => {
    const { status, limit } = c.req.valid('query');
    return c.json({ items: await bus.deliveries({ status, limit }) }, 200);
  });
  app.openapi(retryDelivery, async (c) => c.json(await bus.retry(c.req.valid('param').id), 200));
  return app;
}
