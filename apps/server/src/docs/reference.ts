// What a module's generated reference says, as plain data: its routes as the
// merged OpenAPI document describes them, its operations and events with their
// schemas summarised, and its place in the module graph.
import {
  createModuleApp,
  type AuthRequirement,
  type ModuleDefinition,
  type ModuleGraph,
  type OpenApiDocument,
} from '@seam/platform';
import type { z } from '@seam/platform';
import { summarizeSchema, type SchemaObject } from './schema-summary.js';

export interface ModuleReference {
  name: string;
  description: string;
  routes: RouteReference[];
  operations: OperationReference[];
  publishes: PublishedEvent[];
  consumes: ConsumedEvent[];
  /** calls names the modules this one calls; calledBy those that call it. */
  calls: string[];
  calledBy: string[];
}

export interface RouteReference {
  method: string;
  path: string;
  summary?: string;
  operationId?: string;
  auth: AuthRequirement;
  /** request lists the body, query and header parameters; empty when none. */
  request: string[];
  /** success is `<status> <schema>` per 2xx response. */
  success: string[];
  /** errors are the documented 4xx/5xx statuses. */
  errors: string[];
}

export interface OperationReference {
  name: string;
  summary: string;
  input: string;
  output: string;
  idempotent: boolean;
}

export interface PublishedEvent {
  type: string;
  version: number;
  description: string;
  payload: string;
  subscribers: string[];
}

export interface ConsumedEvent {
  type: string;
  publisher: string;
}

interface OpenApiOperation {
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content?: Record<string, { schema?: SchemaObject }> };
  responses?: Record<string, { content?: Record<string, { schema?: SchemaObject }> }>;
}

/**
 * moduleReferences joins the graph (routes, auth, edges), the merged OpenAPI
 * document (requests and responses) and the contracts (operation and event
 * schemas) into one reference per module.
 */
export function moduleReferences(
  definitions: readonly ModuleDefinition[],
  graph: ModuleGraph,
  document: OpenApiDocument,
): ModuleReference[] {
  return graph.modules.map((module) => {
    const definition = definitions.find((d) => d.contract.name === module.name);
    if (!definition) throw new Error(`Module ${module.name} has no definition`);
    const schemas = contractSchemas(definition);
    return {
      name: module.name,
      description: module.description,
      routes: module.routes.map((route) => {
        const operation = documentedOperation(document, route.method, route.path);
        return {
          ...route,
          request: requestOf(operation),
          ...responsesOf(operation),
        };
      }),
      operations: module.operations.map((operation) => ({
        ...operation,
        input: schemas(`operation.${operation.name}.input`),
        output: schemas(`operation.${operation.name}.output`),
      })),
      publishes: module.publishes.map((event) => ({
        ...event,
        payload: schemas(`event.${event.type}`),
        subscribers: graph.events.filter((e) => e.event === event.type).map((e) => e.to),
      })),
      consumes: graph.events
        .filter((edge) => edge.to === module.name)
        .map((edge) => ({ type: edge.event, publisher: edge.from })),
      calls: graph.calls.filter((edge) => edge.from === module.name).map((edge) => edge.to),
      calledBy: graph.calls.filter((edge) => edge.to === module.name).map((edge) => edge.from),
    };
  });
}

function documentedOperation(
  document: OpenApiDocument,
  method: string,
  path: string,
): OpenApiOperation {
  const item = document.paths?.[path] as Record<string, OpenApiOperation> | undefined;
  const operation = item?.[method.toLowerCase()];
  if (!operation) {
    throw new Error(`${method} ${path} is in the contract but not in the OpenAPI document`);
  }
  return operation;
}

function requestOf(operation: OpenApiOperation): string[] {
  const request: string[] = [];
  const body = operation.requestBody?.content?.['application/json']?.schema;
  if (body) request.push(summarizeSchema(body));
  for (const place of ['query', 'header']) {
    const names = (operation.parameters ?? [])
      .filter((parameter) => parameter.in === place)
      .map((parameter) => `${parameter.name}${parameter.required ? '' : '?'}`);
    if (names.length) request.push(`${place}: ${names.join(', ')}`);
  }
  return request;
}

function responsesOf(operation: OpenApiOperation): { success: string[]; errors: string[] } {
  const success: string[] = [];
  const errors: string[] = [];
  for (const [status, response] of Object.entries(operation.responses ?? {})) {
    if (/^2\d\d$/.test(status)) {
      const schema = response.content?.['application/json']?.schema;
      success.push(schema ? `${status} ${summarizeSchema(schema)}` : status);
    } else {
      errors.push(status);
    }
  }
  return { success, errors };
}

/**
 * contractSchemas renders the contract's operation and event schemas through
 * the same OpenAPI generator as the routes, so named schemas read by name.
 */
function contractSchemas(definition: ModuleDefinition): (key: string) => string {
  const app = createModuleApp();
  const bodies = new Map<string, z.ZodType>();
  for (const [name, operation] of Object.entries(definition.contract.operations)) {
    bodies.set(`operation.${name}.input`, operation.input);
    bodies.set(`operation.${name}.output`, operation.output);
  }
  for (const event of Object.values(definition.contract.events ?? {})) {
    bodies.set(`event.${event.type}`, event.payload);
  }
  const keys = [...bodies.keys()];
  keys.forEach((key, index) =>
    app.openAPIRegistry.registerPath({
      method: 'post',
      path: `/${index}`,
      request: { body: { content: { 'application/json': { schema: bodies.get(key)! } } } },
      responses: { 204: { description: key } },
    }),
  );
  const generated = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: definition.contract.name, version: '0' },
  }) as unknown as OpenApiDocument;
  return (key) => {
    const item = generated.paths?.[`/${keys.indexOf(key)}`] as
      Record<string, OpenApiOperation> | undefined;
    return summarizeSchema(item?.post?.requestBody?.content?.['application/json']?.schema);
  };
}
