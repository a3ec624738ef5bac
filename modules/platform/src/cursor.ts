// Keyset pagination cursors: the (createdAt, id) position of the last row of a
// page, base64url-encoded JSON. Opaque to clients; anything that does not
// decode to a valid position is a 400, never a 500.
import { z } from '@hono/zod-openapi';
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
