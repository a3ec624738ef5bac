// One-line summaries of OpenAPI 3.1 schemas for the generated references:
// named components by name (`Product`), the rest as a short TypeScript-like
// shape (`{ ids: uuid[] }`).

/** SchemaObject is the part of an OpenAPI 3.1 schema the summary reads. */
export interface SchemaObject {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  items?: SchemaObject;
  anyOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  allOf?: SchemaObject[];
}

/** NESTING is how deep objects are spelled out; deeper ones read `{ … }`. */
const NESTING = 2;

const FORMATS = new Set(['uuid', 'date-time', 'date', 'email', 'uri', 'url']);

/**
 * summarizeSchema renders `schema` on one line.
 *
 * @example
 * summarizeSchema({ type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] });
 * // '{ id: uuid }'
 */
export function summarizeSchema(schema: SchemaObject | undefined, depth = 0): string {
  if (!schema) return 'unknown';
  if (schema.$ref) return schema.$ref.slice(schema.$ref.lastIndexOf('/') + 1);
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map((member) => summarizeSchema(member, depth)).join(' | ');
  if (schema.allOf) return schema.allOf.map((member) => summarizeSchema(member, depth)).join(' & ');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (Array.isArray(schema.type)) {
    return schema.type.map((type) => summarizeSchema({ ...schema, type }, depth)).join(' | ');
  }
  switch (schema.type) {
    case 'object':
      return summarizeObject(schema, depth);
    case 'array': {
      const element = summarizeSchema(schema.items, depth);
      return / [|&] /.test(element) ? `(${element})[]` : `${element}[]`;
    }
    case 'string':
      return schema.format && FORMATS.has(schema.format) ? schema.format : 'string';
    case 'integer':
    case 'number':
    case 'boolean':
    case 'null':
      return schema.type;
    default:
      return 'unknown';
  }
}

function summarizeObject(schema: SchemaObject, depth: number): string {
  const entries = Object.entries(schema.properties ?? {});
  if (entries.length === 0) {
    const values = schema.additionalProperties;
    if (values && typeof values === 'object') {
      return `Record<string, ${summarizeSchema(values, depth + 1)}>`;
    }
    return '{}';
  }
  if (depth >= NESTING) return '{ … }';
  const required = new Set(schema.required ?? []);
  const fields = entries.map(
    ([name, value]) =>
      `${name}${required.has(name) ? '' : '?'}: ${summarizeSchema(value, depth + 1)}`,
  );
  return `{ ${fields.join(', ')} }`;
}
