// OpenAPI helpers: the shared response shapes, the module router factory and the
// merge of per-module documents into one (used by the server and the gateway),
// which also enforces the rules every operation follows (docs/api.md).
import { OpenAPIHono, type RouteConfig, type z } from '@hono/zod-openapi';
import { AppError, PROBLEM_CONTENT_TYPE, ProblemSchema, validationError } from '../errors.js';
import type { SeamEnv } from './env.js';

/** OpenApiDocument is the subset of an OpenAPI 3.1 document Seam reads and merges. */
export interface OpenApiDocument {
  openapi: string;
  info: {
    title: string;
    version: string;
    description?: string;
    license?: { name: string; identifier?: string; url?: string };
  };
  servers?: { url: string; description?: string }[];
  tags?: { name: string; description?: string }[];
  paths?: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is malformed or fails validation',
  401: 'A valid bearer access token is required',
  403: 'The caller lacks the required role',
  404: 'The resource does not exist (or is not yours)',
  409: 'The request conflicts with the current state',
  413: 'The request body is larger than the limit',
  415: 'The request body is not application/json',
  422: 'The request is well-formed but cannot be processed',
  429: 'Too many requests; retry after the seconds in the Retry-After header',
  503: 'A dependency is unavailable',
};

/**
 * problemResponses documents error answers of a route.
 *
 * @example
 * responses: { 200: jsonContent(ProductSchema, 'The product'), ...problemResponses(400, 404) }
 */
export function problemResponses<const S extends number>(...statuses: S[]) {
  const responses = {} as Record<
    S,
    { description: string; content: { [PROBLEM_CONTENT_TYPE]: { schema: typeof ProblemSchema } } }
  >;
  for (const status of statuses) {
    responses[status] = {
      description: PROBLEM_DESCRIPTIONS[status] ?? 'Error',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    };
  }
  return responses;
}

/** jsonContent documents a JSON response or request body. */
export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** jsonBody documents a required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T, description: string) {
  return { description, required: true, content: { 'application/json': { schema } } };
}

const PART_NAMES: Record<string, string> = {
  json: 'request body',
  query: 'query string',
  param: 'path',
  header: 'request header',
  cookie: 'cookie',
  form: 'form body',
};

const NUL_MESSAGE = 'Text must not contain the NUL character (U+0000)';

/**
 * nulPath is the dotted path of the first string (or key) in `value` holding a NUL
 * character, which no Postgres text column can store; undefined when there is none.
 */
function nulPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = nulPath(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * createModuleApp makes a module's router; validation failures become 400 problems,
 * and so does text holding a NUL character (U+0000), which the database cannot store.
 */
export function createModuleApp(): OpenAPIHono<SeamEnv> {
  const app = new OpenAPIHono<SeamEnv>({
    defaultHook: (result) => {
      const part = PART_NAMES[result.target] ?? result.target;
      if (!result.success) throw validationError(result.error, part);
      const nul = nulPath(result.data, '');
      if (nul !== undefined) {
        throw AppError.validation(`The ${part} is invalid: ${nul || '(the value)'}`, [
          { path: nul, message: NUL_MESSAGE, code: 'invalid_string' },
        ]);
      }
    },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from POST /api/users/login',
  });
  return app;
}

/** moduleDocument renders a module router's document with paths under `/api/<name>`. */
export function moduleDocument(
  app: OpenAPIHono<SeamEnv>,
  module: { name: string; description: string },
  version: string,
): OpenApiDocument {
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: `Seam ${module.name} API`, version, description: module.description },
    tags: [{ name: module.name, description: module.description }],
  }) as unknown as OpenApiDocument;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    paths[`/api/${module.name}${path === '/' ? '' : path}`] = item as Record<string, unknown>;
  }
  return { ...document, paths };
}

/**
 * routesDocument renders the document of a module's route configs without
 * serving them: the same document a host renders for a router that registers
 * exactly these routes (tools use it to build the API's document with no database).
 *
 * @example
 * const document = routesDocument(catalogContract, catalogContract.routes, '0.1.0');
 */
export function routesDocument(
  module: { name: string; description: string },
  routes: Record<string, RouteConfig>,
  version: string,
): OpenApiDocument {
  const app = createModuleApp();
  // What OpenAPIHono#openapi registers: the route without its middleware, unless hidden.
  for (const route of Object.values(routes)) {
    if (route.hide) continue;
    const documented = { ...route };
    delete documented.middleware;
    delete documented.hide;
    app.openAPIRegistry.registerPath(documented);
  }
  return moduleDocument(app, module, version);
}

/** API_SERVERS is relative: the document is right wherever it is served, server or gateway. */
export const API_SERVERS = [
  { url: '/', description: 'The server or gateway that serves this document' },
];

/**
 * API_LICENSE states the API's terms. The repository ships no open-source licence,
 * so it is proprietary (an SPDX `LicenseRef-`); change both together.
 */
export const API_LICENSE = { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' };

/** OPERATION_ID: camelCase, verb first (`listProducts`, `addCartItem`); see docs/api.md. */
const OPERATION_ID = /^[a-z][a-zA-Z0-9]*$/;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface OperationShape {
  operationId?: unknown;
  security?: unknown;
  responses?: Record<string, unknown>;
}

/**
 * checkOperations enforces what every public operation declares, so a new route
 * cannot ship without it: a camelCase `operationId` unique in the whole API
 * (generated clients name methods after it), `security` (`[]` when public) and
 * at least one 4xx answer. It names every offender in one error.
 */
function checkOperations(paths: Record<string, Record<string, unknown>>): void {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const operation = item[method] as OperationShape | undefined;
      if (!operation) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const id = operation.operationId;
      if (typeof id !== 'string' || !OPERATION_ID.test(id)) {
        problems.push(`${where} needs an operationId in camelCase (such as "listProducts")`);
      } else if (seen.has(id)) {
        problems.push(`${where} repeats the operationId "${id}" of ${seen.get(id)}`);
      } else {
        seen.set(id, where);
      }
      if (!Array.isArray(operation.security)) {
        problems.push(
          `${where} needs security: BEARER_SECURITY, or PUBLIC_SECURITY ([]) when public`,
        );
      }
      if (!Object.keys(operation.responses ?? {}).some((status) => /^4(\d\d|XX)$/.test(status))) {
        problems.push(`${where} needs at least one 4xx answer (problemResponses(400, ...))`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(`The OpenAPI document breaks the API rules:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * mergeOpenApiDocuments joins per-module documents, with the API's servers and
 * licence. A path or a component that two modules define differently is a
 * start-up error, never a silent override, and so is an operation that breaks
 * the rules of checkOperations.
 */
export function mergeOpenApiDocuments(
  info: OpenApiDocument['info'],
  documents: OpenApiDocument[],
): OpenApiDocument {
  const merged: OpenApiDocument = {
    openapi: '3.1.0',
    info: { ...info, license: info.license ?? API_LICENSE },
    servers: API_SERVERS,
    tags: [],
    paths: {},
    components: {},
  };
  for (const document of documents) {
    for (const tag of document.tags ?? []) {
      if (!merged.tags!.some((t) => t.name === tag.name)) merged.tags!.push(tag);
    }
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (merged.paths![path]) throw new Error(`OpenAPI path ${path} is defined twice`);
      merged.paths![path] = item;
    }
    for (const [kind, entries] of Object.entries(document.components ?? {})) {
      const target = (merged.components![kind] ??= {});
      for (const [name, value] of Object.entries(entries)) {
        if (name in target && JSON.stringify(target[name]) !== JSON.stringify(value)) {
          throw new Error(
            `OpenAPI component ${kind}.${name} is defined differently by two modules (${document.info.title}); rename one`,
          );
        }
        target[name] = value;
      }
    }
  }
  checkOperations(merged.paths!);
  return merged;
}
