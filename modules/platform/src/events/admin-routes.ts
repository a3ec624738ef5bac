// Admin routes over the event deliveries of the modules hosted by this process:
// list them (failed ones first of interest) and put a failed one back in the queue.
import { createRoute, z } from '@hono/zod-openapi';
import { BEARER_SECURITY, requireAuth } from '../http/auth.js';
import { createModuleApp, jsonContent, problemResponses } from '../http/openapi.js';
import type { EventBus } from './bus.js';

/** DELIVERY_EXAMPLE is a delivery that failed for good, as the API returns it. */
export const DELIVERY_EXAMPLE = {
  id: '5b0c1e5e-9a57-4d5c-8f43-2f0b7f1c9d21',
  module: 'orders',
  eventId: '0f8a3c2e-6d1b-4e8f-9a7c-3b5d2e1f4a6c',
  type: 'orders.OrderConfirmed',
  subscriber: 'notifications',
  status: 'failed',
  attempts: 10,
  nextAttemptAt: '2025-01-06T09:05:00.000Z',
  lastError: 'notifications answered 503',
  occurredAt: '2025-01-06T09:00:00.000Z',
  deliveredAt: null,
} as const;

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
  .openapi('EventDelivery', { example: DELIVERY_EXAMPLE });

const listDeliveries = createRoute({
  method: 'get',
  path: '/deliveries',
  operationId: 'listEventDeliveries',
  summary: 'List event deliveries',
  description:
    'Deliveries of events published by the modules this process hosts, newest first. Filter by status to see what failed. Admin only.',
  tags: ['events'],
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: {
    query: z.object({
      status: z.enum(['pending', 'delivered', 'failed']).optional().openapi({ example: 'failed' }),
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
    }),
  },
  responses: {
    200: jsonContent(
      z
        .object({ items: z.array(DeliverySchema) })
        .openapi('EventDeliveryPage', { example: { items: [DELIVERY_EXAMPLE] } }),
      'The deliveries',
    ),
    ...problemResponses(400, 401, 403),
  },
});

const retryDelivery = createRoute({
  method: 'post',
  path: '/deliveries/{id}/retry',
  operationId: 'retryEventDelivery',
  summary: 'Retry a failed event delivery',
  description: 'Puts a failed delivery back in the queue with a fresh attempt budget. Admin only.',
  tags: ['events'],
  security: BEARER_SECURITY,
  middleware: [requireAuth('admin')] as const,
  request: {
    params: z.object({
      id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: DELIVERY_EXAMPLE.id }),
    }),
  },
  responses: {
    200: jsonContent(DeliverySchema, 'The delivery, pending again'),
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

/** EVENTS_ROUTER_NAME is the URL segment of the admin routes: /api/events. */
export const EVENTS_ROUTER_NAME = 'events';

/** EVENTS_ADMIN is how the admin routes appear in the OpenAPI document: like a module's. */
export const EVENTS_ADMIN = {
  name: EVENTS_ROUTER_NAME,
  description: 'Domain event deliveries (outbox) of this process',
  routes: { listDeliveries, retryDelivery },
} as const;

export function eventsAdminRouter(bus: EventBus) {
  const app = createModuleApp();
  app.openapi(EVENTS_ADMIN.routes.listDeliveries, async (c) => {
    const { status, limit } = c.req.valid('query');
    return c.json({ items: await bus.deliveries({ status, limit }) }, 200);
  });
  app.openapi(EVENTS_ADMIN.routes.retryDelivery, async (c) =>
    c.json(await bus.retry(c.req.valid('param').id), 200),
  );
  return app;
}
