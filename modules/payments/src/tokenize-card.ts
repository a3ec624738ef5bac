// The tokenizeCard operation: swaps a card number for a token that can pay
// later, so callers never have to keep the number (orders stores the token on
// the order and charges with it, again after a crash).
import type { CardToken, PaymentsContract } from '@seam/payments-contract';
import { AppError, type Database, type OperationInput } from '@seam/platform';
import { and, eq, gt, isNull, or, sql } from 'drizzle-orm';
import { checkCard, type CheckedCard } from './card.js';
import { cardTokens } from './schema.js';

export type TokenizeCardInput = OperationInput<PaymentsContract['operations']['tokenizeCard']>;

/** CARD_TOKEN_TTL_SECONDS is how long a token can pay; well above any checkout deadline. */
export const CARD_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/**
 * tokenizeCard checks a card (400 `payments.invalid-card` as charge would) and
 * stores a token for it in the vault: the user, the last four digits and what
 * the simulated issuer will answer — never the number. Each call makes a new
 * token; an unused one is harmless and expires.
 *
 * @example
 * const { token } = await tokenizeCard(db, { userId, card: { number: '4242 4242 4242 4242' } });
 */
export async function tokenizeCard(db: Database, input: TokenizeCardInput): Promise<CardToken> {
  const card = checkCard(input.card.number);
  const [row] = await db
    .insert(cardTokens)
    .values({
      userId: input.userId,
      cardLast4: card.last4,
      declineReason: card.outcome.declineReason,
      expiresAt: sql`now() + ${CARD_TOKEN_TTL_SECONDS}::integer * interval '1 second'`,
    })
    .returning();
  return { token: row!.id, cardLast4: row!.cardLast4, expiresAt: row!.expiresAt.toISOString() };
}

/**
 * cardOfToken binds a token to the order it pays (first use) and returns the
 * card it stands for. A token that is unknown, expired, another user's, or
 * already bound to another order is a 409 `payments.invalid-card-token`; a
 * repeat for the same order is allowed, so charging stays idempotent.
 */
export async function cardOfToken(
  db: Database,
  token: string,
  userId: string,
  orderId: string,
): Promise<CheckedCard> {
  const [row] = await db
    .update(cardTokens)
    .set({ orderId })
    .where(
      and(
        eq(cardTokens.id, token),
        eq(cardTokens.userId, userId),
        or(
          eq(cardTokens.orderId, orderId),
          and(isNull(cardTokens.orderId), gt(cardTokens.expiresAt, sql`now()`)),
        ),
      ),
    )
    .returning();
  if (!row) {
    throw AppError.conflict(
      `The card token cannot pay for order ${orderId}: it is unknown, expired, or belongs to another user or order`,
      'payments.invalid-card-token',
    );
  }
  return {
    last4: row.cardLast4,
    outcome: row.declineReason
      ? { status: 'declined', declineReason: row.declineReason }
      : { status: 'captured', declineReason: null },
  };
}
