// OpenAPI helpers: the shared response shapes, the module router factory and the
// merge of per-module documents into one (used by the server and the gateway).
import { OpenAPIHono, type z } from '@hono/zod-openapi';
import { PROBLEM_CONTENT_TYPE, ProblemSchema, validationError } from '../errors.js';
import type { SeamEnv } from './env.js';

/** OpenApiDocument is the subset of an OpenAPI 3.1 document Seam reads and merges. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
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

/** createModuleApp makes a module's router; validation failures become 400 problems. */
export function createModuleApp(): OpenAPIHono<SeamEnv> {
  const app = new OpenAPIHono<SeamEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw validationError(result.error, PART_NAMES[result.target] ?? result.target);
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
 * mergeOpenApiDocuments joins per-module documents. A path or a component that
 * two modules define differently is a start-up error, never a silent override.
 */
export function mergeOpenApiDocuments(
  info: OpenApiDocument['info'],
  documents: OpenApiDocument[],
): OpenApiDocument {
  const merged: OpenApiDocument = { openapi: '3.1.0', info, tags: [], paths: {}, components: {} };
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
  return merged;
}
