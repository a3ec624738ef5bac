// Keyset pagination cursors: the (createdAt, id) position of the last row of a
// page, base64url-encoded JSON. Opaque to clients; anything that does not
// decode to a valid position is a 400, never a 500.
import { z } from '@hono/zod-openapi';
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { AppError } from './errors.js';

/** CursorPosition is where the next page starts: strictly after this row. */
export interface CursorPosition {
  createdAt: Date;
  id: string;
}

const PositionSchema = z.tuple([z.iso.datetime(), z.uuid()]);

/**
 * encodeCursor turns the last row of a page into the next page's cursor.
 *
 * @example
 * const nextCursor = encodeCursor({ createdAt: last.createdAt, id: last.id });
 */
export function encodeCursor(position: CursorPosition): string {
  const tuple = [position.createdAt.toISOString(), position.id];
  return Buffer.from(JSON.stringify(tuple), 'utf8').toString('base64url');
}

/**
 * decodeCursor reads a cursor from a client; a malformed one throws a 400
 * AppError with `code` (a module may name its own, e.g. `orders.invalid-cursor`).
 */
export function decodeCursor(cursor: string, code = 'invalid-cursor'): CursorPosition {
  const invalid = () =>
    new AppError({
      status: 400,
      code,
      title: 'Invalid cursor',
      detail: 'The cursor is not one this API returned; start again without a cursor',
      errors: [{ path: 'cursor', message: 'Invalid cursor', code: 'invalid_cursor' }],
    });
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const parsed = PositionSchema.safeParse(decoded);
  if (!parsed.success) throw invalid();
  const [createdAt, id] = parsed.data;
  return { createdAt: new Date(createdAt), id };
}

/** CURSOR_EXAMPLE is a cursor as the API returns one (after 2025-01-06T09:00Z, a demo product's id). */
export const CURSOR_EXAMPLE =
  'WyIyMDI1LTAxLTA2VDA5OjAwOjAwLjAwMFoiLCI4ZTlmMjdjNi1kZDllLTUwYjMtOWIwZS0wM2IxNDBiNzU0MzEiXQ';

/** CursorQuerySchema is the `cursor` query parameter of every keyset-paginated list route. */
export const CursorQuerySchema = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .openapi({
    param: { name: 'cursor', in: 'query' },
    description: 'Opaque `nextCursor` of the previous page',
    example: CURSOR_EXAMPLE,
  });

/**
 * beyondCursor is the keyset condition of the page after `cursor`: rows strictly
 * after its (created_at, id) position — older (`desc`, newest first) or newer
 * (`asc`). A cursor the API did not produce is a 400 with `code`.
 *
 * @example
 * conditions.push(beyondCursor(orders.createdAt, orders.id, query.cursor, 'desc', 'orders.invalid-cursor'));
 */
export function beyondCursor(
  createdAt: AnyColumn,
  id: AnyColumn,
  cursor: string,
  order: 'asc' | 'desc',
  code?: string,
): SQL {
  const at = decodeCursor(cursor, code);
  const position = sql`(${at.createdAt.toISOString()}::timestamptz, ${at.id}::uuid)`;
  return order === 'desc'
    ? sql`(${createdAt}, ${id}) < ${position}`
    : sql`(${createdAt}, ${id}) > ${position}`;
}

/**
 * keysetPage cuts rows read with `limit + 1` to one page, and names the next
 * page's cursor: the last row's position, or null when there is no next page.
 */
export function keysetPage<R extends CursorPosition>(
  rows: readonly R[],
  limit: number,
): { rows: R[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor:
      rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}
