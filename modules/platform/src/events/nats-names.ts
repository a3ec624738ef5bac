// The names the NATS JetStream transport gives its streams, subjects and durable
// consumers: pure functions, so what only needs a name (tests, tools) does not
// load the NATS client.

/** streamName is a publishing module's stream: `SEAM_ORDERS`. */
export function streamName(prefix: string, module: string): string {
  return `${prefix}_${module}`.toUpperCase();
}

/** consumerName is the durable consumer of one subscriber for one type: `notifications_OrderConfirmed`. */
export function consumerName(subscriber: string, type: string): string {
  return `${subscriber}_${type.slice(type.indexOf('.') + 1)}`;
}

/** subjectOf is an event type's subject: `seam.events.orders.OrderConfirmed`. */
export function subjectOf(prefix: string, type: string): string {
  return `${prefix}.events.${type}`;
}
