// POST / — checkout. Idempotency first (see idempotency.ts), then the saga (see
// saga.ts). Every answer that ends the request for good — the order (confirmed
// or failed) or a business refusal such as an empty cart — is stored under the
// Idempotency-Key and replayed byte for byte; a failure before the order exists
// forgets the key so the client can retry; a failure after it leaves the order
// pending for recovery and says so.
import type { CheckoutRequestSchema } from '@seam/orders-contract';
import { eq } from 'drizzle-orm';
import {
  AppError,
  databaseUnreachable,
  isAppError,
  type CallOptions,
  type z,
} from '@seam/platform';
import type { OrdersDeps } from './deps.js';
import {
  claimKey,
  completeKey,
  releaseKey,
  requestHash,
  type KeyRef,
  type StoredResponse,
} from './idempotency.js';
import { priceOrder } from './price-order.js';
import { advanceOrder, LeaseLost, placeOrder, releaseStock, tokenizeCard } from './saga.js';
import { orders, type OrderRow } from './schema.js';
import { currentState } from './transitions.js';

export interface CheckoutInput {
  userId: string;
  idempotencyKey: string;
  request: z.output<typeof CheckoutRequestSchema>;
  /** requestId and instance go into problem bodies (and onto calls, for tracing). */
  requestId: string;
  instance: string;
}

/** CheckoutAnswer is the HTTP answer: status and JSON body, and whether it is a replay. */
export interface CheckoutAnswer extends StoredResponse {
  replayed: boolean;
}

/**
 * checkout runs one checkout request end to end.
 *
 * @example
 * const answer = await checkout(deps, { userId, idempotencyKey, request, requestId, instance });
 * // answer.status 201 with an Order, or a stored problem, or a replay of the first answer
 */
export async function checkout(deps: OrdersDeps, input: CheckoutInput): Promise<CheckoutAnswer> {
  const ref: KeyRef = { userId: input.userId, key: input.idempotencyKey };
  const claim = await claimKey(deps.db, ref, requestHash(withMaskedCard(input.request)));
  if (claim.kind === 'replay') return { ...claim.response, replayed: true };

  const options: CallOptions = { requestId: input.requestId };
  let orderId: string | undefined;
  try {
    const cart = await deps.cart.getCart({ userId: input.userId }, options);
    const priced = await priceOrder(deps, cart, options);
    const token = await tokenizeCard(deps, input.userId, input.request.paymentMethod.card, options);
    const order = await placeOrder(deps, ref, priced, input.request.shippingAddress, token);
    orderId = order.id;
    deps.crashAfter('order');
    const finished = await advanceRetryingBriefOutages(deps, order, options);
    return { ...finished.response, replayed: false };
  } catch (error) {
    if (orderId === undefined) return refuseBeforeOrder(deps, ref, input, error);
    return interruptedAfterOrder(deps, orderId, error, options);
  }
}

/**
 * STEP_RETRY_DELAYS_MS are the pauses before running a placed order's saga again
 * when a step found its dependency unavailable (a replica restarting, a
 * connection closed under the call): every step is idempotent per order, so the
 * shopper gets the order instead of "it will be completed within minutes".
 */
const STEP_RETRY_DELAYS_MS = [100, 400];
/** STEP_RETRY_WITHIN_MS: a failure after this long is not brief (a partition, a timeout); no retry. */
const STEP_RETRY_WITHIN_MS = 1_000;

/**
 * advanceRetryingBriefOutages runs the saga of a just-placed order, and runs it
 * again from the order's current row when a step failed fast for want of a
 * dependency. Anything else — a refusal, a lost lease, a slow failure — goes to
 * the caller as before.
 */
async function advanceRetryingBriefOutages(
  deps: OrdersDeps,
  placed: OrderRow,
  options: CallOptions,
) {
  const started = performance.now();
  let order = placed;
  for (let attempt = 0; ; attempt++) {
    try {
      return await advanceOrder(deps, order, options);
    } catch (error) {
      const delay = STEP_RETRY_DELAYS_MS[attempt];
      const brief = performance.now() - started < STEP_RETRY_WITHIN_MS;
      if (delay === undefined || !brief || error instanceof LeaseLost || !unavailableCause(error)) {
        throw error;
      }
      deps.log.info(
        { orderId: order.id, attempt: attempt + 1, reason: String(error) },
        'checkout step unavailable; running the saga again',
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
      // A step may have moved the order's lease (updated_at): go on from its row.
      const [current] = await deps.db.select().from(orders).where(eq(orders.id, order.id));
      if (current?.status !== 'pending') throw error;
      order = current;
    }
  }
}

/**
 * refuseBeforeOrder answers a checkout that created no order. The module's own
 * refusals (empty cart, product gone, …) are final: stored and replayed. Anything
 * else forgets the key, so a retry runs afresh; an unavailable dependency is 503.
 */
async function refuseBeforeOrder(
  deps: OrdersDeps,
  ref: KeyRef,
  input: CheckoutInput,
  error: unknown,
): Promise<CheckoutAnswer> {
  if (isAppError(error) && error.status < 500 && error.code.startsWith('orders.')) {
    const problem = error.toProblem({ instance: input.instance, requestId: input.requestId });
    const response = { status: error.status, body: problem };
    return { ...((await completeKey(deps.db, ref, response)) ?? response), replayed: false };
  }
  await releaseKey(deps.db, ref).catch((err: unknown) =>
    deps.log.error({ err, requestId: input.requestId }, 'could not release an idempotency key'),
  );
  if (isAppError(error) && error.code.startsWith('orders.')) throw error;
  const unavailable = unavailableCause(error);
  if (unavailable) {
    throw AppError.unavailable(
      `Checkout could not complete (${unavailable.detail}); nothing was ordered or charged — retry with the same Idempotency-Key`,
      'orders.dependency-unavailable',
    );
  }
  if (isAppError(error) && error.status >= 500) throw error;
  // A 4xx from another module here is a bug on our side, not the shopper's.
  deps.log.error(
    { err: error, requestId: input.requestId },
    'checkout failed before placing the order',
  );
  throw AppError.internal(
    `An unexpected error occurred; quote request id ${input.requestId} when reporting it`,
    error,
  );
}

/**
 * interruptedAfterOrder answers a checkout whose order exists but did not end.
 * The order stays pending: recovery finishes it (and completes the key) once the
 * saga timeout passes. If recovery already did, that result is the answer.
 */
async function interruptedAfterOrder(
  deps: OrdersDeps,
  orderId: string,
  error: unknown,
  options: CallOptions,
): Promise<CheckoutAnswer> {
  const state = await currentState(deps.db, orderId);
  if (error instanceof LeaseLost && state.order.status === 'failed') {
    // Recovery may have released before our reservation landed; make sure it is returned.
    await releaseStock(deps, orderId, options).catch(() => {});
  }
  if (state.order.status !== 'pending') return { ...state.response, replayed: false };
  if (!(error instanceof LeaseLost) && !unavailableCause(error)) {
    deps.log.error({ err: error, orderId, requestId: options.requestId }, 'checkout interrupted');
  } else {
    deps.log.warn(
      { orderId, requestId: options.requestId, reason: String(error) },
      'checkout interrupted',
    );
  }
  throw AppError.unavailable(
    `Order ${orderId} could not be completed right now; it will be confirmed or failed automatically within minutes. Replay the request with the same Idempotency-Key to get the outcome.`,
    'orders.checkout-incomplete',
  );
}

/**
 * unavailableCause: the 503/504 when a dependency could not be reached or did not
 * answer in time — another module's answer, or our own database's driver error
 * (a connection dropped mid-checkout) — else undefined.
 */
function unavailableCause(error: unknown): AppError | undefined {
  if (isAppError(error)) return error.status === 503 || error.status === 504 ? error : undefined;
  return databaseUnreachable(error);
}

/**
 * withMaskedCard keeps only the length and last four digits of the card in what
 * is hashed for idempotency: a stored hash of the full number could be brute
 * forced from its first six and last four digits.
 */
export function withMaskedCard(request: CheckoutInput['request']): CheckoutInput['request'] {
  const digits = request.paymentMethod.card.replace(/\D/g, '');
  const masked = `${'*'.repeat(Math.max(0, digits.length - 4))}${digits.slice(-4)}`;
  return { ...request, paymentMethod: { ...request.paymentMethod, card: masked } };
}
