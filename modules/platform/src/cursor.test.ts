// Pagination cursors round-trip and reject anything they did not produce.
import { randomUUID } from 'node:crypto';
import { AppError } from './errors.js';
import { describe, expect, it } from 'vitest';
import {
  CURSOR_EXAMPLE,
  CursorQuerySchema,
  decodeCursor,
  encodeCursor,
  keysetPage,
} from './cursor.js';

describe('cursor', () => {
  it('round-trips a position with millisecond precision', () => {
    const position = { createdAt: new Date('2025-03-04T05:06:07.089Z'), id: randomUUID() };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['an empty string', ''],
    ['padding and symbols', 'abc=='],
    ['non-JSON bytes', Buffer.from([0xff, 0xfe, 0x00]).toString('base64url')],
    ['a JSON object', Buffer.from('{"createdAt":"2025-01-01T00:00:00Z"}').toString('base64url')],
    [
      'a tuple of three',
      Buffer.from(JSON.stringify(['2025-01-01T00:00:00Z', randomUUID(), 1])).toString('base64url'),
    ],
    [
      'a non-ISO date',
      Buffer.from(JSON.stringify(['2025-01-01', randomUUID()])).toString('base64url'),
    ],
    [
      'a non-uuid id',
      Buffer.from(JSON.stringify(['2025-01-01T00:00:00Z', '1; drop table'])).toString('base64url'),
    ],
  ])('rejects %s with a 400 invalid-cursor AppError', (_what, cursor) => {
    let error: unknown;
    try {
      decodeCursor(cursor);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, code: 'invalid-cursor' });
    expect((error as AppError).errors).toEqual([expect.objectContaining({ path: 'cursor' })]);
  });
});

describe('keysetPage', () => {
  const row = (i: number) => ({
    id: `00000000-0000-4000-8000-00000000000${i}`,
    createdAt: new Date(Date.UTC(2025, 0, 6, 9, 0, i)),
  });

  it('cuts the extra row off and names the last row of the page as the next cursor', () => {
    const page = keysetPage([row(1), row(2), row(3)], 2);
    expect(page.rows).toEqual([row(1), row(2)]);
    expect(decodeCursor(page.nextCursor!)).toEqual(row(2));
  });

  it('has no next cursor on the last page, full or not', () => {
    expect(keysetPage([row(1), row(2)], 2).nextCursor).toBeNull();
    expect(keysetPage([row(1)], 2)).toEqual({ rows: [row(1)], nextCursor: null });
    expect(keysetPage([], 2)).toEqual({ rows: [], nextCursor: null });
  });

  it('gives a cursor CursorQuerySchema accepts, and CURSOR_EXAMPLE is one', () => {
    expect(CursorQuerySchema.safeParse(keysetPage([row(1), row(2)], 1).nextCursor).success).toBe(
      true,
    );
    expect(decodeCursor(CURSOR_EXAMPLE)).toEqual({
      createdAt: new Date('2025-01-06T09:00:00.000Z'),
      id: '8e9f27c6-dd9e-50b3-9b0e-03b140b75431',
    });
  });
});
