import { describe, expect, it } from 'vitest';
import { summarizeSchema } from './schema-summary.js';

describe('summarizeSchema', () => {
  it('names a component by its name', () => {
    expect(summarizeSchema({ $ref: '#/components/schemas/Product' })).toBe('Product');
  });

  it('spells out an object, marking optional fields', () => {
    expect(
      summarizeSchema({
        type: 'object',
        properties: { id: { type: 'string', format: 'uuid' }, note: { type: 'string' } },
        required: ['id'],
      }),
    ).toBe('{ id: uuid, note?: string }');
  });

  it('writes arrays with [] and parenthesises a union element', () => {
    expect(summarizeSchema({ type: 'array', items: { type: 'integer' } })).toBe('integer[]');
    expect(
      summarizeSchema({
        type: 'array',
        items: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      }),
    ).toBe('(string | null)[]');
  });

  it('writes enums, consts and type lists as unions', () => {
    expect(summarizeSchema({ type: 'string', enum: ['pending', 'confirmed'] })).toBe(
      '"pending" | "confirmed"',
    );
    expect(summarizeSchema({ const: 'Bearer' })).toBe('"Bearer"');
    expect(summarizeSchema({ type: ['string', 'null'] })).toBe('string | null');
  });

  it('keeps known string formats and drops the others', () => {
    expect(summarizeSchema({ type: 'string', format: 'date-time' })).toBe('date-time');
    expect(summarizeSchema({ type: 'string', format: 'password' })).toBe('string');
  });

  it('writes a record as Record<string, T> and an empty object as {}', () => {
    expect(summarizeSchema({ type: 'object', additionalProperties: { type: 'string' } })).toBe(
      'Record<string, string>',
    );
    expect(summarizeSchema({ type: 'object' })).toBe('{}');
  });

  it('shortens objects nested deeper than two levels', () => {
    const leaf = { type: 'object', properties: { x: { type: 'number' } } };
    const schema = {
      type: 'object',
      properties: { a: { type: 'object', properties: { b: leaf } } },
      required: ['a'],
    };
    expect(summarizeSchema(schema)).toBe('{ a: { b?: { … } } }');
  });

  it('says unknown for a missing or untyped schema', () => {
    expect(summarizeSchema(undefined)).toBe('unknown');
    expect(summarizeSchema({})).toBe('unknown');
  });
});
