// Topologies: which modules run in which service, and where each service's
// replicas answer. A topology is a JSON file (`topology/<name>.json`) checked
// against TopologySchema for its shape and against the modules a build knows
// for its meaning; every problem becomes one field error of one AppError.
import { readFile } from 'node:fs/promises';
import { z } from '@hono/zod-openapi';
import { NATS_PREFIX, NATS_PREFIX_MESSAGE, NATS_URL, NATS_URL_MESSAGE } from './config.js';
import { AppError, type FieldError } from './errors.js';

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
/** MODULE_NAME matches defineContract's rule for module names. */
const MODULE_NAME = /^[a-z][a-z0-9]*$/;
/** BASE_URL is an http(s) origin: no path (a trailing slash is tolerated), query or fragment. */
const BASE_URL = /^https?:\/\/[^/?#\s]+\/?$/;

const SERVICE_NAME_MESSAGE = 'service names are lowercase letters, digits and dashes';
const MODULE_NAME_MESSAGE = 'module names are lowercase letters and digits';
const BASE_URL_MESSAGE =
  'must be an http:// or https:// base URL without path, query or credentials, e.g. http://127.0.0.1:3101';

const BaseUrlSchema = z
  .string()
  .regex(BASE_URL, { message: BASE_URL_MESSAGE, abort: true })
  .refine((value) => isBaseUrl(value), BASE_URL_MESSAGE)
  .meta({ examples: ['http://127.0.0.1:3101', 'http://catalog:3000'] });

const ServiceSchema = z
  .strictObject({
    modules: z
      .array(z.string().regex(MODULE_NAME, MODULE_NAME_MESSAGE))
      .min(1, 'a service hosts at least one module')
      .meta({
        description: 'The modules this service hosts; each module is hosted by one service',
      }),
    replicas: z.array(BaseUrlSchema).min(1, 'a service needs at least one replica URL').meta({
      description:
        'Base URLs of the processes running this service: loopback ports locally, DNS names in compose or Kubernetes',
    }),
  })
  .meta({ description: 'One deployable service: a process (or several replicas) hosting modules' });

/**
 * EventsSchema picks how events travel between services: `http` (the default)
 * pushes each delivery from the publisher's outbox to the subscriber's service;
 * `nats` relays each event once to a JetStream stream of its publishing module,
 * from which every subscribing module pulls with a durable consumer.
 */
export const EventsSchema = z
  .discriminatedUnion('transport', [
    z.strictObject({ transport: z.literal('http') }),
    z.strictObject({
      transport: z.literal('nats'),
      servers: z
        .array(z.string().regex(NATS_URL, NATS_URL_MESSAGE))
        .min(1, 'list at least one NATS server')
        .meta({
          description: 'NATS servers with JetStream enabled; the client fails over between them',
          examples: [['nats://127.0.0.1:4222']],
        }),
      prefix: z.string().regex(NATS_PREFIX, NATS_PREFIX_MESSAGE).optional().meta({
        description:
          'Names this deployment’s streams (`<PREFIX>_<MODULE>`) and subjects (`<prefix>.events.<type>`) on a shared NATS; default `seam`',
      }),
    }),
  ])
  .meta({
    description:
      'How events travel between services: `http` pushes from each outbox (default), `nats` goes through JetStream (docs/events.md)',
  });

/**
 * TopologySchema is the shape of a topology file; `topology/topology.schema.json`
 * is generated from it (see topologyJsonSchema).
 */
export const TopologySchema = z
  .strictObject({
    $schema: z.string().optional(),
    gateway: z
      .strictObject({ url: BaseUrlSchema })
      .optional()
      .meta({ description: 'Where the gateway answers; start:split listens on its port' }),
    events: EventsSchema.optional(),
    services: z
      .record(z.string().regex(SERVICE_NAME, SERVICE_NAME_MESSAGE), ServiceSchema)
      .refine((services) => Object.keys(services).length > 0, 'a topology has at least one service')
      .meta({ description: 'Services by name (lowercase letters, digits and dashes)' }),
  })
  .meta({
    title: 'Seam topology',
    description: 'Which modules run in which service, and the URLs of each service’s replicas',
  });

export type Topology = z.output<typeof TopologySchema>;
export type TopologyService = Topology['services'][string];
export type TopologyEvents = NonNullable<Topology['events']>;

/** ResolvedService is what one process of a topology needs: its modules and everyone else's URLs. */
export interface ResolvedService {
  /** hosted lists the modules this service runs in-process. */
  hosted: string[];
  /** remotes maps every other module to the replica URLs of the service hosting it. */
  remotes: Record<string, string[]>;
}

/**
 * parseTopology validates a parsed topology document. With `knownModules` it
 * also checks that every module exists and is hosted exactly once; without it
 * (the gateway, which needs no module code) only the shape and the URLs are checked.
 * Replica URLs are returned normalised to their origin (`http://host:port`).
 *
 * @example
 * const topology = parseTopology(JSON.parse(text), ['users', 'catalog']);
 */
export function parseTopology(
  document: unknown,
  knownModules?: readonly string[],
  source = 'topology',
): Topology {
  const errors: FieldError[] = [];
  const parsed = TopologySchema.safeParse(document);
  if (!parsed.success) errors.push(...parsed.error.issues.map(fieldError));
  errors.push(...meaningErrors(document, knownModules));
  if (errors.length > 0 || !parsed.success) throw invalidTopology(source, errors);

  const topology = parsed.data;
  const services: Topology['services'] = {};
  for (const [name, service] of Object.entries(topology.services)) {
    services[name] = { modules: service.modules, replicas: service.replicas.map(origin) };
  }
  return {
    ...topology,
    ...(topology.gateway ? { gateway: { url: origin(topology.gateway.url) } } : {}),
    services,
  };
}

/**
 * loadTopology reads and validates a topology file; see parseTopology.
 *
 * @example
 * const topology = await loadTopology('topology/split.json', modules.map((m) => m.contract.name));
 */
export async function loadTopology(
  path: string,
  knownModules?: readonly string[],
): Promise<Topology> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw invalidTopology(
      path,
      [],
      missing ? 'the file does not exist' : `cannot read it: ${(error as Error).message}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw invalidTopology(path, [], `not valid JSON: ${(error as Error).message}`);
  }
  return parseTopology(document, knownModules, path);
}

/**
 * resolveService tells the process running `service` what it hosts and where
 * every other module answers.
 *
 * @example
 * const { hosted, remotes } = resolveService(topology, 'catalog');
 * // hosted: ['catalog'], remotes: { users: ['http://127.0.0.1:3101'], … }
 */
export function resolveService(topology: Topology, service: string): ResolvedService {
  const own = topology.services[service];
  if (!own) {
    throw new AppError({
      status: 500,
      code: 'invalid-configuration',
      detail: `Invalid configuration: service "${service}" is not in the topology; its services are ${Object.keys(topology.services).join(', ')}`,
    });
  }
  const remotes: Record<string, string[]> = {};
  for (const [name, other] of Object.entries(topology.services)) {
    if (name === service) continue;
    for (const module of other.modules) remotes[module] = [...other.replicas];
  }
  return { hosted: [...own.modules], remotes };
}

/** serviceOf names the service hosting `module`, if any. */
export function serviceOf(topology: Topology, module: string): string | undefined {
  return Object.entries(topology.services).find(([, s]) => s.modules.includes(module))?.[0];
}

/** topologyJsonSchema is the JSON Schema of topology files, for editors and CI. */
export function topologyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TopologySchema, { io: 'input' }) as Record<string, unknown>;
}

/**
 * meaningErrors checks what a schema cannot: module names against the build,
 * each module hosted once, replica URLs unique. It walks the raw document
 * defensively so shape errors elsewhere do not hide these.
 */
function meaningErrors(document: unknown, knownModules: readonly string[] | undefined) {
  const errors: FieldError[] = [];
  const services = isRecord(document) && isRecord(document.services) ? document.services : {};
  const hostedBy = new Map<string, string>();
  const urls = new Map<string, string>();
  const gatewayUrl =
    isRecord(document) && isRecord(document.gateway) ? document.gateway.url : undefined;
  if (typeof gatewayUrl === 'string' && isBaseUrl(gatewayUrl)) {
    urls.set(origin(gatewayUrl), 'the gateway');
  }

  for (const [service, definition] of Object.entries(services)) {
    if (!isRecord(definition)) continue;
    const modules = Array.isArray(definition.modules) ? definition.modules : [];
    modules.forEach((module: unknown, index) => {
      if (typeof module !== 'string' || !MODULE_NAME.test(module)) return;
      const path = `services.${service}.modules.${index}`;
      if (knownModules && !knownModules.includes(module)) {
        errors.push({
          path,
          code: 'unknown-module',
          message: `unknown module "${module}"; known modules are ${knownModules.join(', ')}`,
        });
        return;
      }
      const first = hostedBy.get(module);
      if (first === service) {
        errors.push({
          path,
          code: 'duplicate-module',
          message: `module "${module}" is listed twice in service "${service}"`,
        });
      } else if (first) {
        errors.push({
          path,
          code: 'module-hosted-twice',
          message: `module "${module}" is hosted by both "${first}" and "${service}"; a module runs in one service`,
        });
      } else {
        hostedBy.set(module, service);
      }
    });

    const replicas = Array.isArray(definition.replicas) ? definition.replicas : [];
    replicas.forEach((url: unknown, index) => {
      if (typeof url !== 'string' || !isBaseUrl(url)) return;
      const key = origin(url);
      const owner = urls.get(key);
      if (owner) {
        errors.push({
          path: `services.${service}.replicas.${index}`,
          code: 'duplicate-replica',
          message: `${key} is already used by ${owner}; every replica needs its own address`,
        });
      } else {
        urls.set(key, `service "${service}"`);
      }
    });
  }

  for (const module of knownModules ?? []) {
    if (!hostedBy.has(module)) {
      errors.push({
        path: 'services',
        code: 'module-not-hosted',
        message: `module "${module}" is hosted by no service; add it to one`,
      });
    }
  }
  return errors;
}

function fieldError(issue: z.core.$ZodIssue): FieldError {
  const path = issue.path.map(String).join('.') || '(root)';
  if (issue.code === 'invalid_key') {
    return { path, code: issue.code, message: SERVICE_NAME_MESSAGE };
  }
  if (issue.code === 'unrecognized_keys') {
    return {
      path,
      code: issue.code,
      message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`,
    };
  }
  return { path, code: issue.code, message: issue.message };
}

function invalidTopology(source: string, errors: FieldError[], reason?: string): AppError {
  const detail = reason ?? errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return new AppError({
    status: 500,
    code: 'invalid-topology',
    title: 'Invalid topology',
    detail: `Invalid topology ${source}: ${detail}`,
    errors,
  });
}

function isBaseUrl(value: string): boolean {
  if (!BASE_URL.test(value) || !URL.canParse(value)) return false;
  const url = new URL(value);
  return url.username === '' && url.password === '' && url.hostname !== '';
}

function origin(url: string): string {
  return new URL(url).origin;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
