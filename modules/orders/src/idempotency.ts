// Idempotency-Key handling for checkout: one record per (user, key) holding the
// hash of the request body, whether the request is still running, and the
// response it finally got — so a replay returns exactly that response.
import { createHash } from 'node:crypto';
import { AppError, type Database } from '@seam/platform';
import { and, eq, isNull, lt } from 'drizzle-orm';
import { idempotencyKeys } from './schema.js';

/** IDEMPOTENCY_TTL_MS is how long a key is remembered; after that it may be reused. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** KeyRef names one idempotency record. */
export interface KeyRef {
  userId: string;
  key: string;
}

/** StoredResponse is a response as remembered for replays. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * canonicalJson serialises a JSON value with object keys sorted at every level,
 * so two bodies that differ only in key order hash the same.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** requestHash is the sha256 (hex) of the canonical JSON of a request body. */
export function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/**
 * claimKey records a new request under `ref`, or decides what an earlier one
 * means for this one: the same body that completed → its stored response; the
 * same body still running → 409 `orders.idempotency-key-in-flight`; another
 * body → 422 `orders.idempotency-key-reused`. An expired record is taken over
 * as if it were new. Insert-or-inspect runs in one transaction; the primary key
 * makes concurrent duplicates wait for the first insert and then see it.
 */
export async function claimKey(
  db: Database,
  ref: KeyRef,
  hash: string,
  now = new Date(),
): Promise<{ kind: 'new' } | { kind: 'replay'; response: StoredResponse }> {
  const fresh = {
    requestHash: hash,
    status: 'in_flight' as const,
    responseStatus: null,
    responseBody: null,
    orderId: null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
  };
  return db.transaction(async (tx) => {
    const claimed = await tx
      .insert(idempotencyKeys)
      .values({ ...ref, ...fresh })
      .onConflictDoUpdate({
        target: [idempotencyKeys.userId, idempotencyKeys.key],
        set: fresh,
        setWhere: lt(idempotencyKeys.expiresAt, now),
      })
      .returning({ key: idempotencyKeys.key });
    if (claimed.length > 0) return { kind: 'new' as const };
    const [existing] = await tx.select().from(idempotencyKeys).where(matches(ref));
    if (!existing) {
      // Deleted between the insert and the select (a failed first attempt); ask for a retry.
      throw inFlight();
    }
    if (existing.requestHash !== hash) {
      throw AppError.unprocessable(
        'This Idempotency-Key was already used with a different request body; use a new key for a new checkout',
        'orders.idempotency-key-reused',
      );
    }
    if (existing.status === 'in_flight' || existing.responseStatus === null) throw inFlight();
    return {
      kind: 'replay' as const,
      response: { status: existing.responseStatus, body: existing.responseBody },
    };
  });
}

/**
 * linkOrder records which order a running request created (inside the order's
 * insert); false when the record is no longer this request's.
 */
export async function linkOrder(tx: Database, ref: KeyRef, orderId: string): Promise<boolean> {
  const linked = await tx
    .update(idempotencyKeys)
    .set({ orderId })
    .where(
      and(matches(ref), eq(idempotencyKeys.status, 'in_flight'), isNull(idempotencyKeys.orderId)),
    )
    .returning({ key: idempotencyKeys.key });
  return linked.length > 0;
}

/**
 * completeKey stores the final response of a running request and returns the
 * body as stored (jsonb), so the first answer and every replay are identical.
 * It returns undefined when the record is no longer in flight.
 */
export async function completeKey(
  db: Database,
  ref: KeyRef,
  response: StoredResponse,
): Promise<StoredResponse | undefined> {
  const [row] = await db
    .update(idempotencyKeys)
    .set({ status: 'completed', responseStatus: response.status, responseBody: response.body })
    .where(and(matches(ref), eq(idempotencyKeys.status, 'in_flight')))
    .returning({ body: idempotencyKeys.responseBody });
  return row ? { status: response.status, body: row.body } : undefined;
}

/** completeKeysOfOrder stores the final response of the request that created an order. */
export async function completeKeysOfOrder(
  tx: Database,
  orderId: string,
  response: StoredResponse,
): Promise<StoredResponse | undefined> {
  const [row] = await tx
    .update(idempotencyKeys)
    .set({ status: 'completed', responseStatus: response.status, responseBody: response.body })
    .where(and(eq(idempotencyKeys.orderId, orderId), eq(idempotencyKeys.status, 'in_flight')))
    .returning({ body: idempotencyKeys.responseBody });
  return row ? { status: response.status, body: row.body } : undefined;
}

/** storedResponseOfOrder reads the completed response of the request that created an order. */
export async function storedResponseOfOrder(
  db: Database,
  orderId: string,
): Promise<StoredResponse | undefined> {
  const [row] = await db
    .select({ status: idempotencyKeys.responseStatus, body: idempotencyKeys.responseBody })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.orderId, orderId), eq(idempotencyKeys.status, 'completed')))
    .limit(1);
  return row && row.status !== null ? { status: row.status, body: row.body } : undefined;
}

/** releaseKey forgets a running request that created nothing, so the client may retry. */
export async function releaseKey(db: Database, ref: KeyRef): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(and(matches(ref), eq(idempotencyKeys.status, 'in_flight')));
}

function matches(ref: KeyRef) {
  return and(eq(idempotencyKeys.userId, ref.userId), eq(idempotencyKeys.key, ref.key));
}

function inFlight(): AppError {
  return AppError.conflict(
    'A request with this Idempotency-Key is still being processed; retry shortly to get its result',
    'orders.idempotency-key-in-flight',
  );
}
