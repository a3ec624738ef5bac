// fast-check arbitraries built from a served OpenAPI 3.1 document: for each
// operation, requests that satisfy every documented part (path, query, headers,
// body) and requests that break one or more of them — wrong types, missing and
// extra fields, boundary and huge numbers, odd strings, odd ids, wrong content
// types, invalid JSON, deep and huge bodies — each labelled with what it breaks.
//
// Values that only the running shop knows (ids of real products, orders,
// deliveries; tokens) are placeholders (`{{product:3}}`, an auth variant name),
// so that a seed gives the same requests on every run; the fuzz suite fills them
// in when it sends.
import fc from 'fast-check';

/** JsonSchema is the subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) read here. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

/** Operation is one documented method and path, its schemas inlined. */
export interface Operation {
  /** key is `METHOD /path/{template}`, e.g. `GET /api/orders/{id}`. */
  key: string;
  method: string;
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
  /** secured is true when the operation declares a bearer security requirement. */
  secured: boolean;
  /** responses are the documented statuses. */
  responses: number[];
}

interface Document {
  paths?: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

interface OperationObject {
  parameters?: (Parameter & { $ref?: string })[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
  responses?: Record<string, unknown>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/**
 * operationsOf lists the document's operations with every `$ref` inlined.
 *
 * @example
 * const ops = operationsOf(await (await fetch(`${url}/openapi.json`)).json());
 */
export function operationsOf(doc: unknown): Operation[] {
  const document = doc as Document;
  const schemas = document.components?.schemas ?? {};
  const inline = (schema: JsonSchema, depth = 0): JsonSchema => {
    if (depth > 32) throw new Error('schema nests too deep (a recursive $ref?)');
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      const target = schemas[name];
      if (!target) throw new Error(`unknown $ref ${schema.$ref}`);
      return inline(target, depth + 1);
    }
    const out: JsonSchema = { ...schema };
    if (schema.properties) {
      out.properties = Object.fromEntries(
        Object.entries(schema.properties).map(([k, v]) => [k, inline(v, depth + 1)]),
      );
    }
    if (schema.items) out.items = inline(schema.items, depth + 1);
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      if (schema[key]) out[key] = schema[key].map((s) => inline(s, depth + 1));
    }
    return out;
  };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const json = op.requestBody?.content?.['application/json']?.schema;
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters: (op.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in,
          required: p.required ?? false,
          schema: inline(p.schema ?? {}),
        })),
        ...(json ? { body: inline(json) } : {}),
        secured: (op.security?.length ?? 0) > 0,
        responses: Object.keys(op.responses ?? {}).map(Number),
      });
    }
  }
  return operations;
}

// ---------------------------------------------------------------- values

/** typesOf lists a schema's JSON types (`integer` counts as a number too). */
function typesOf(schema: JsonSchema): string[] {
  if (schema.type) return Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  if (schema.enum) return [...new Set(schema.enum.map(jsonType))];
  return [];
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** Ref names a kind of id the running shop knows: products, orders, deliveries, users. */
export type RefKind = 'product' | 'order' | 'delivery' | 'user';

/** ref is the placeholder of the `index`-th known id of `kind`, filled in when sent. */
export const ref = (kind: RefKind, index: number) => `{{${kind}:${index}}}`;

/** REF_PATTERN finds the placeholders in a path, a query or a body. */
export const REF_PATTERN = /\{\{(product|order|delivery|user):(\d+)\}\}/g;

/**
 * refKindOf guesses which ids a uuid field holds from its name and, for `id`,
 * the path segment before it (`/products/{id}` → product).
 */
export function refKindOf(name: string, path = ''): RefKind | undefined {
  const named = /^(product|order|delivery|user)Id$/.exec(name)?.[1];
  if (named) return named as RefKind;
  if (name !== 'id') return undefined;
  const segment = /\/([a-z]+)\/\{id\}/.exec(path)?.[1] ?? '';
  if (segment === 'deliveries') return 'delivery';
  const singular = segment.replace(/s$/, '');
  return (['product', 'order', 'user'] as const).find((k) => k === singular);
}

/** SAFE_EMAIL is an address every email validator accepts (see the report of format mismatches). */
const safeEmail = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]([a-z0-9._+-]{0,20}[a-z0-9])?$/),
    fc.stringMatching(/^[a-z0-9]{1,12}$/),
    fc.constantFrom('com', 'org', 'example', 'shop'),
  )
  .filter(([local]) => !local.includes('..'))
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

/**
 * validString makes strings a schema accepts: lengths count code points, as JSON
 * Schema says, and include both bounds; no NUL character (see docs/errors.md).
 */
function validString(schema: JsonSchema, field = ''): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Math.max(min, 64);
  // NUL (U+0000) is refused everywhere, as docs/errors.md says: a valid string has none.
  const fits = (s: string) => {
    const n = [...s].length;
    return n >= min && n <= max && !s.includes('\u0000');
  };
  if (schema.format === 'uuid') {
    const kind = refKindOf(field);
    const random = fc.uuid();
    return kind
      ? fc.oneof(
          fc.nat(50).map((i) => ref(kind, i)),
          random,
        )
      : random;
  }
  if (schema.format === 'email') return safeEmail.filter(fits);
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString());
  }
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern), { size: 'small' }).filter(fits);
  }
  const unit = fc.constantFrom('grapheme', 'grapheme-ascii', 'binary-ascii') as fc.Arbitrary<
    'grapheme' | 'grapheme-ascii' | 'binary-ascii'
  >;
  return fc
    .oneof(
      {
        weight: 6,
        arbitrary: unit.chain((u) =>
          fc.string({ unit: u, minLength: min, maxLength: max, size: 'small' }),
        ),
      },
      // The bounds themselves, in ASCII and in letters outside the BMP.
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'a'.repeat(Math.max(min, 1)).slice(0, Math.max(max, 0)),
          'z'.repeat(max),
        ),
      },
      { weight: 1, arbitrary: fc.constant('\u{1F600}'.repeat(Math.max(min, Math.min(max, 50)))) },
    )
    .filter(fits);
}

function validNumber(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const low =
    schema.minimum ??
    (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : Number.MIN_SAFE_INTEGER);
  const high =
    schema.maximum ??
    (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : Number.MAX_SAFE_INTEGER);
  const min = Math.max(low, Number.MIN_SAFE_INTEGER);
  const max = Math.min(high, Number.MAX_SAFE_INTEGER);
  const any = integer
    ? fc.bigInt(BigInt(Math.ceil(min)), BigInt(Math.floor(max))).map(Number)
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  const small = fc.integer({
    min: Math.max(min, 0),
    max: Math.max(Math.min(max, 100), Math.max(min, 0)),
  });
  return fc.oneof(
    { weight: 3, arbitrary: small },
    { weight: 2, arbitrary: any },
    { weight: 1, arbitrary: fc.constantFrom(Math.ceil(min), Math.floor(max)) },
  );
}

/**
 * validValue makes values that satisfy `schema` (its `$ref`s inlined). A uuid
 * field named like an id (`productId`) is a placeholder for a known id half of
 * the time, a uuid of nothing otherwise.
 *
 * @example
 * fc.sample(validValue({ type: 'integer', minimum: 1, maximum: 99 }), 3); // e.g. [1, 99, 7]
 */
export function validValue(schema: JsonSchema, field = ''): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(s, field)));
  if (schema.allOf) return validValue(Object.assign({}, ...schema.allOf) as JsonSchema, field);
  const types = typesOf(schema);
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'null':
          return fc.constant(null);
        case 'boolean':
          return fc.boolean();
        case 'integer':
          return validNumber(schema, true);
        case 'number':
          return validNumber(schema, false);
        case 'string':
          return validString(schema, field);
        case 'array':
          return fc.array(validValue(schema.items ?? {}), {
            minLength: schema.minItems ?? 0,
            maxLength: schema.maxItems ?? 10,
          });
        case 'object':
          return validObject(schema);
        default:
          throw new Error(`unsupported schema type ${type}`);
      }
    }),
  );
}

function validObject(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties))
    model[name] = validValue(property, name);
  return fc.record(model, { requiredKeys: [...required].filter((k) => k in properties) });
}

// ---------------------------------------------------------------- odd and invalid values

/** ODD_STRINGS are strings that have broken parsers, databases and loggers before. */
export const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\t\r\n',
  '\uFEFF',
  '\u202Eevil',
  '\uD800',
  '\uDFFF\uD800',
  'e\u0301',
  '𝕊𝕖𝕒𝕞',
  '👩‍👩‍👧‍👦',
  '%',
  '%00',
  '%zz',
  '\\',
  '"',
  "'; DROP TABLE users; --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '../../etc/passwd',
  'null',
  'undefined',
  'NaN',
  '-0',
  '1e309',
  '0x10',
  '__proto__',
  'constructor',
];

/** oddString is an odd string, a random unicode one, or a very long one. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('a', 'é', '😀', '\u0000', ' '),
        fc.constantFrom(257, 1025, 10_001, 100_000),
      )
      .map(([c, n]) => c.repeat(n)),
  },
);

/** oddNumber is a number at or beyond the edges: huge, tiny, negative, fractional. */
export const oddNumber: fc.Arbitrary<number> = fc.constantFrom(
  -1,
  0,
  -0,
  0.5,
  1.5,
  -2147483649,
  2147483648,
  4294967296,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_VALUE,
);

const otherTypes = (types: string[]): fc.Arbitrary<unknown> => {
  const all: [string, fc.Arbitrary<unknown>][] = [
    ['null', fc.constant(null)],
    ['boolean', fc.boolean()],
    ['integer', fc.integer()],
    [
      'number',
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
    ],
    ['string', oddString],
    ['array', fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })],
    [
      'object',
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    ],
  ];
  const accepted = new Set(types.includes('number') ? [...types, 'integer'] : types);
  return fc.oneof(...all.filter(([t]) => !accepted.has(t)).map(([, a]) => a));
};

/**
 * invalidValue makes values that break `schema`: another type, a bound or
 * pattern crossed, a required field missing, an unknown field where none is
 * allowed, or one field broken inside an otherwise valid object. `validValue`
 * and `invalidValue` never overlap for the schemas of the shop's document (the
 * unit test checks that against the contracts' zod schemas).
 */
export function invalidValue(schema: JsonSchema, field = ''): fc.Arbitrary<unknown> {
  const types = typesOf(schema);
  const options: fc.Arbitrary<unknown>[] = [];
  if (types.length > 0) options.push(otherTypes(types));
  if (schema.enum) {
    options.push(oddString.filter((s) => !schema.enum!.includes(s)));
  }
  if (types.includes('string') && !schema.enum) {
    const min = schema.minLength ?? 0;
    const max = schema.maxLength;
    if (min > 0) options.push(fc.constant('x'.repeat(min - 1)));
    if (max !== undefined) {
      options.push(fc.constantFrom(max + 1, max * 2 + 1, 100_000).map((n) => 'x'.repeat(n)));
    }
    if (schema.format === 'uuid')
      options.push(fc.constantFrom(...ODD_IDS.filter((id) => !UUID.test(id))));
    if (schema.format === 'email') {
      options.push(
        fc.constantFrom('not-an-email', '@example.com', 'a@', 'a@b', 'a b@example.com', 'ä@'),
      );
    }
    if (schema.pattern) {
      const pattern = new RegExp(schema.pattern);
      options.push(oddString.filter((s) => !pattern.test(s) || [...s].length > (max ?? Infinity)));
    }
  }
  if ((types.includes('integer') || types.includes('number')) && !schema.enum) {
    const numberOk = (n: number) =>
      (schema.minimum === undefined || n >= schema.minimum) &&
      (schema.maximum === undefined || n <= schema.maximum) &&
      (!types.includes('integer') || types.includes('number') || Number.isInteger(n));
    const edges = [
      ...(schema.minimum !== undefined ? [schema.minimum - 1, schema.minimum - 0.5] : []),
      ...(schema.maximum !== undefined ? [schema.maximum + 1, schema.maximum + 0.5] : []),
    ].filter((n) => !numberOk(n));
    const odd = oddNumber.filter((n) => !numberOk(n));
    options.push(edges.length > 0 ? fc.oneof(fc.constantFrom(...edges), odd) : odd);
  }
  if (types.includes('object') && schema.properties) {
    const properties = schema.properties;
    const valid = validObject(schema);
    const required = (schema.required ?? []).filter((k) => k in properties);
    if (required.length > 0) {
      options.push(
        fc.tuple(valid, fc.constantFrom(...required)).map(([value, missing]) => {
          const copy = { ...value };
          delete copy[missing];
          return copy;
        }),
      );
    }
    if (schema.additionalProperties === false) {
      options.push(
        fc
          .tuple(
            valid,
            fc.constantFrom('extra', '__proto__', 'constructor', 'id', 'role', ''),
            fc.jsonValue({ maxDepth: 2 }),
          )
          .filter(([, key]) => !(key in properties))
          .map(([value, key, extra]) => {
            const copy = { ...value };
            Object.defineProperty(copy, key, {
              value: extra,
              enumerable: true,
              writable: true,
              configurable: true,
            });
            return copy;
          }),
      );
    }
    const names = Object.keys(properties);
    if (names.length > 0) {
      options.push(
        fc
          .constantFrom(...names)
          .chain((name) =>
            fc.tuple(valid, fc.constant(name), invalidValue(properties[name]!, name)),
          )
          .map(([value, name, broken]) => ({ ...value, [name]: broken })),
      );
    }
  }
  if (types.includes('array')) {
    if (schema.items) {
      options.push(fc.array(invalidValue(schema.items), { minLength: 1, maxLength: 3 }));
    }
    if (schema.maxItems !== undefined) {
      options.push(
        fc.array(validValue(schema.items ?? {}), {
          minLength: schema.maxItems + 1,
          maxLength: schema.maxItems + 2,
        }),
      );
    }
  }
  if (options.length === 0) return fc.constant(Symbol.for(`no invalid value for ${field}`));
  return fc.oneof(...options);
}

// ---------------------------------------------------------------- requests

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** ODD_IDS are path ids, already encoded for a URL path: not uuids, traversal, encoded slashes. */
export const ODD_IDS = [
  'not-a-uuid',
  '1',
  '0',
  '-1',
  '..',
  '.',
  '%2e%2e',
  '..%2f..%2fhealth%2fready',
  '%2F',
  'a%2Fb',
  '%5C',
  '%00',
  '%',
  '%zz',
  '%C0%AE',
  '%F0%9F%98%80',
  'null',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '8E9F27C6-DD9E-50B3-9B0E-03B140B75431',
  '{8e9f27c6-dd9e-50b3-9b0e-03b140b75431}',
  '8e9f27c6dd9e50b39b0e03b140b75431',
  '8e9f27c6-dd9e-50b3-9b0e-03b140b75431%20',
  '8e9f27c6-dd9e-50b3-9b0e-03b140b75431;drop',
  'x'.repeat(4096),
];

/** AuthVariant names a credential the fuzz suite knows how to send. */
export type AuthVariant =
  | 'none'
  | 'customer'
  | 'admin'
  | 'ghost'
  | 'garbled'
  | 'not-bearer'
  | 'empty-bearer'
  | 'forged'
  | 'expired'
  | 'alg-none'
  | 'hs256'
  | 'wrong-kid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'bad-role'
  | 'no-subject'
  | 'tampered'
  | 'huge';

/** REAL_AUTH are the variants of a real, current token of an existing user. */
export const REAL_AUTH: readonly AuthVariant[] = ['customer', 'admin'];
const BAD_AUTH: AuthVariant[] = [
  'ghost',
  'garbled',
  'not-bearer',
  'empty-bearer',
  'forged',
  'expired',
  'alg-none',
  'hs256',
  'wrong-kid',
  'wrong-issuer',
  'wrong-audience',
  'bad-role',
  'no-subject',
  'tampered',
  'huge',
];

/** Body is what a request carries: text, or a large body built only when sent. */
export type Body =
  | { kind: 'text'; text: string }
  | { kind: 'deep'; depth: number }
  | { kind: 'huge'; bytes: number };

/** FuzzRequest is one generated request, its placeholders not yet filled in. */
export interface FuzzRequest {
  operation: string;
  method: string;
  /** path is encoded, with the query; it may hold `{{kind:n}}` placeholders. */
  path: string;
  headers: Record<string, string>;
  body?: Body;
  auth: AuthVariant;
  /**
   * valid is true when every part satisfies the document and the token is a
   * real one (or the operation needs none): the answer must be a success or a
   * documented refusal that is no validation failure.
   */
  valid: boolean;
  /** broken lists what the request breaks, for the report of a failure. */
  broken: string[];
}

interface Part<T> {
  value: T;
  broken: string[];
}

const ok = <T>(value: T): Part<T> => ({ value, broken: [] });

/** encodeValue writes a parameter value for a URL (JSON for objects, as is for scalars). */
const encodeValue = (value: unknown) =>
  typeof value === 'string' && PLACEHOLDER.test(value)
    ? value
    : percentEncode(typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

/** percentEncode encodes for a URL; a lone surrogate becomes the bytes of one in WTF-8 (%ED%A0%80). */
function percentEncode(text: string): string {
  return text
    .split(/(\p{Surrogate})/u)
    .map((part) => (/^\p{Surrogate}$/u.test(part) ? '%ED%A0%80' : encodeURIComponent(part)))
    .join('');
}

const PLACEHOLDER = /^\{\{[a-z]+:\d+\}\}$/;

function pathParameter(p: Parameter, path: string): fc.Arbitrary<Part<string>> {
  const kind = refKindOf(p.name, path);
  const valid =
    kind && p.schema.format === 'uuid'
      ? fc.oneof(
          fc.nat(50).map((i) => ref(kind, i)),
          fc.uuid(),
        )
      : validValue(p.schema, p.name).map(encodeValue);
  const raw =
    p.schema.format === 'uuid'
      ? fc.constantFrom(...ODD_IDS.filter((id) => !UUID.test(id)))
      : fc.constantFrom(...ODD_IDS);
  const broken = fc.oneof(raw, invalidValue(p.schema, p.name).map(encodeValue));
  return fc.oneof(
    { weight: 3, arbitrary: valid.map(ok) },
    {
      weight: 2,
      arbitrary: broken.map((value) => ({ value, broken: [`path ${p.name}=${short(value)}`] })),
    },
  );
}

function queryParameter(p: Parameter): fc.Arbitrary<Part<string[]>> {
  const valid = validValue(p.schema, p.name).map((v) => [`${p.name}=${encodeValue(v)}`]);
  const absent = fc.constant<string[]>([]);
  const rawOdd = fc.constantFrom(
    '%',
    '%zz',
    '%00',
    '',
    '1e3',
    '1.0',
    '+1',
    '%201',
    '0x1',
    '[]',
    '{}',
    '1&1',
  );
  const broken = fc.oneof(
    invalidValue(p.schema, p.name).map((v) => [`${p.name}=${encodeValue(v)}`]),
    rawOdd.map((v) => [`${p.name}=${v}`]),
    fc
      .tuple(validValue(p.schema, p.name), validValue(p.schema, p.name))
      .map(([a, b]) => [`${p.name}=${encodeValue(a)}`, `${p.name}=${encodeValue(b)}`]),
  );
  const validPart = (p.required ? valid : fc.oneof(valid, absent)).map(ok);
  const brokenPart = fc.oneof(
    broken.map((value) => ({ value, broken: [`query ${p.name}: ${short(value.join('&'))}`] })),
    ...(p.required
      ? [absent.map((value) => ({ value, broken: [`query ${p.name} missing`] }))]
      : []),
  );
  return fc.oneof({ weight: 3, arbitrary: validPart }, { weight: 1, arbitrary: brokenPart });
}

const HEADER_SAFE = /^[A-Za-z0-9._~-]+$/;

function headerParameter(p: Parameter): fc.Arbitrary<Part<string | undefined>> {
  const min = Math.max(p.schema.minLength ?? 1, 1);
  const max = p.schema.maxLength ?? 255;
  // Header values are trimmed by every HTTP parser, so a valid one is made of visible characters.
  const valid = fc
    .oneof(
      fc.uuid(),
      fc.string({
        unit: fc.constantFrom(...'abcXYZ019-_.~'),
        minLength: min,
        maxLength: Math.min(max, 64),
      }),
      fc.constant('k'.repeat(max)),
    )
    .filter((v) => HEADER_SAFE.test(v) && v.length >= min && v.length <= max);
  const broken = fc.constantFrom<string | undefined>(
    undefined,
    '',
    ' ',
    'k'.repeat(max + 1),
    'k'.repeat(8000),
    'caf\u00e9',
    '\u00ff\u00fe',
  );
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((value): Part<string | undefined> => ok(value)) },
    {
      weight: 1,
      arbitrary: broken
        .filter((v) => !(v === undefined && !p.required))
        .map((value) => ({ value, broken: [`header ${p.name}=${short(value ?? '(missing)')}`] })),
    },
  );
}

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
];
const OTHER_TYPES = [
  undefined,
  '',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/problem+json',
  'application/merge-patch+json',
  'APPLICATION/JSON',
  'application/json; charset=utf-16',
  'application/jsonx',
  'json',
  '*/*',
  'application/json\u00e9',
];

const INVALID_JSON = [
  '',
  ' ',
  '{',
  '}',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '{a:1}',
  'NaN',
  '[1,2',
  '"unterminated',
  '{"a":"\\x41"}',
  '{"a":"\\ud800"}',
  '\uFEFF{}',
  '\u0000',
  '{"a":1}garbage',
  'null',
  'true',
  '0',
  '"a string"',
  '[]',
  '[{}]',
  '{"a":1e999}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":1,"a":2}',
];

function bodyPart(schema: JsonSchema): fc.Arbitrary<Part<{ body?: Body; type?: string }>> {
  const json = (value: unknown): Body => ({ kind: 'text', text: JSON.stringify(value) });
  const valid = fc
    .tuple(validValue(schema), fc.constantFrom(...JSON_TYPES))
    .map(([value, type]) => ok({ body: json(value), type }));
  const brokenValue = fc
    .tuple(invalidValue(schema), fc.constantFrom(...JSON_TYPES))
    .filter(([value]) => typeof value !== 'symbol')
    .map(([value, type]) => ({
      value: { body: json(value), type },
      broken: [`body ${short(JSON.stringify(value))}`],
    }));
  const badJson = fc.constantFrom(...INVALID_JSON).map((text) => ({
    value: { body: { kind: 'text', text } as Body, type: 'application/json' },
    broken: [`body text ${short(text)}`],
  }));
  const wrongType = fc
    .tuple(validValue(schema), fc.constantFrom(...OTHER_TYPES))
    .map(([value, type]) => ({
      value: { body: json(value), type },
      broken: [`content-type ${type ?? '(missing)'}`],
    }));
  const missing = fc.constantFrom(undefined, 'application/json').map((type) => ({
    value: { type },
    broken: ['body missing'],
  }));
  const large = fc
    .oneof(
      fc.constantFrom(1_000, 10_000, 100_000).map((depth) => ({ kind: 'deep', depth }) as Body),
      fc
        .constantFrom(512 * 1024, 2 * 1024 * 1024, 8 * 1024 * 1024)
        .map((bytes) => ({ kind: 'huge', bytes }) as Body),
    )
    .map((body) => ({ value: { body, type: 'application/json' }, broken: [`body ${body.kind}`] }));
  return fc.oneof(
    { weight: 8, arbitrary: valid },
    { weight: 6, arbitrary: brokenValue },
    { weight: 2, arbitrary: badJson },
    { weight: 2, arbitrary: wrongType },
    { weight: 1, arbitrary: missing },
    { weight: 1, arbitrary: large },
  );
}

/** An extra body on an operation that documents none: ignored or refused, never a 5xx. */
const extraBody: fc.Arbitrary<Part<{ body?: Body; type?: string }>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(ok({})) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...INVALID_JSON, '{"extra":true}'),
        fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES),
      )
      .map(([text, type]) => ({
        value: { body: { kind: 'text', text } as Body, type },
        broken: ['unexpected body'],
      })),
  },
);

/**
 * requestOf makes requests for one operation: about half valid in every part,
 * the rest breaking one part or more, with every kind of credential.
 *
 * @example
 * const [request] = fc.sample(requestOf(operation), { seed: 1, numRuns: 1 });
 */
export function requestOf(op: Operation): fc.Arbitrary<FuzzRequest> {
  const paths = op.parameters.filter((p) => p.in === 'path');
  const queries = op.parameters.filter((p) => p.in === 'query');
  const headers = op.parameters.filter((p) => p.in === 'header');
  const realAuth = op.secured
    ? fc.constantFrom(...REAL_AUTH)
    : fc.constantFrom<AuthVariant>('none', 'none', ...REAL_AUTH);
  const auth = fc.oneof(
    { weight: 3, arbitrary: realAuth },
    { weight: 1, arbitrary: fc.constantFrom<AuthVariant>('none', ...BAD_AUTH) },
  );
  return fc
    .record({
      path: fc.tuple(...paths.map((p) => pathParameter(p, op.path))),
      query: fc.tuple(...queries.map(queryParameter)),
      headers: fc.tuple(...headers.map(headerParameter)),
      body: op.body ? bodyPart(op.body) : extraBody,
      auth,
    })
    .map(({ path, query, headers: headerParts, body, auth: variant }) => {
      let url = op.path;
      paths.forEach((p, i) => {
        url = url.replace(`{${p.name}}`, path[i]!.value);
      });
      const search = query.flatMap((q) => q.value);
      if (search.length > 0) url += `?${search.join('&')}`;
      const sent: Record<string, string> = {};
      headers.forEach((p, i) => {
        const value = headerParts[i]!.value;
        if (value !== undefined) sent[p.name] = value;
      });
      if (body.value.type !== undefined) sent['content-type'] = body.value.type;
      const broken = [
        ...path.flatMap((p) => p.broken),
        ...query.flatMap((q) => q.broken),
        ...headerParts.flatMap((h) => h.broken),
        ...body.broken,
      ];
      const authorised = op.secured
        ? REAL_AUTH.includes(variant)
        : variant === 'none' || REAL_AUTH.includes(variant);
      if (!authorised) broken.push(`auth ${variant}`);
      return {
        operation: op.key,
        method: op.method,
        path: url,
        headers: sent,
        ...(body.value.body ? { body: body.value.body } : {}),
        auth: variant,
        valid: broken.length === 0,
        broken,
      };
    });
}

function short(text: string): string {
  const flat = JSON.stringify(text) ?? String(text);
  return flat.length > 60 ? `${flat.slice(0, 57)}…(${text.length})` : flat;
}
