// Pagination cursors round-trip and reject anything they did not produce.
import { randomUUID } from 'node:crypto';
import { AppError } from './errors.js';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';

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
