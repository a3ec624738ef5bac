// The host: turns a list of module definitions and the environment into one
// running Hono process. It opens the database, migrates each hosted module,
// wires typed clients (in-process for hosted modules, HTTP for remote ones),
// mounts routes under /api/<module>, serves the merged OpenAPI document, the
// docs UI, health checks and the internal operation endpoint, and shuts down
// gracefully.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { requestId } from 'hono/request-id';
import type { JSONWebKeySet } from 'jose';
import { createTokenVerifier, type TokenVerifier } from './auth.js';
import {
  CALLER_HEADER,
  createClient,
  createHttpTransport,
  createInProcessTransport,
  DEADLINE_HEADER,
  INTERNAL_EVENTS_PATH,
  INTERNAL_OPERATIONS_PATH,
  SERVICE_TOKEN_HEADER,
  type Transport,
} from './client.js';
import { loadConfig, type PlatformConfig } from './config.js';
import type { Contract, ModuleClient } from './contract.js';
import { createDatabase, type DatabaseHandle } from './database.js';
import { AppError, validationError } from './errors.js';
import { mountDocs } from './http/docs.js';
import type { SeamEnv } from './http/env.js';
import {
  createModuleApp,
  mergeOpenApiDocuments,
  moduleDocument,
  type OpenApiDocument,
} from './http/openapi.js';
import {
  errorHandler,
  methodNotAllowedResponse,
  notFoundHandler,
  problemResponse,
} from './http/problem.js';
import { Metrics, routeLabel } from './http/metrics.js';
import { listenOn, stopServer, type ServerType } from './http/serve.js';
import { EventBus, type RemoteDelivery } from './events/bus.js';
import { eventsAdminRouter, EVENTS_ROUTER_NAME } from './events/admin-routes.js';
import { ensureEventTables } from './events/tables.js';
import { createLogger, type Logger } from './logger.js';
import type { Clients, ModuleApp, ModuleDefinition, ModuleImplementation } from './module.js';
import { OperationRegistry } from './operations.js';
import { loadTopology, resolveService } from './topology.js';
import { runInScope } from './scope.js';

export interface HostOptions {
  /** modules are all modules this build knows; SEAM_MODULES picks the hosted subset. */
  modules: readonly ModuleDefinition<Contract, never>[] | readonly ModuleDefinition[];
  env?: Record<string, string | undefined>;
  /** version is reported in OpenAPI `info.version`. */
  version?: string;
  /** jwks fetches the token signing keys, typically through the users contract. */
  jwks?: (clients: Clients) => Promise<JSONWebKeySet>;
  log?: Logger;
}

export interface Host {
  readonly app: Hono<SeamEnv>;
  readonly config: PlatformConfig;
  readonly log: Logger;
  readonly database: DatabaseHandle;
  /** hosted lists the module names this process serves. */
  readonly hosted: string[];
  /** clients gives the host's own typed clients (caller `host`). */
  readonly clients: Clients;
  /** document is the merged OpenAPI document of the hosted modules. */
  readonly document: OpenApiDocument;
  /** listen starts the HTTP server on PORT/HOST (port 0 picks a free one). */
  listen(port?: number): Promise<{ port: number; url: string }>;
  /** close stops accepting, lets in-flight requests finish, stops modules, closes the DB. */
  close(): Promise<void>;
}

interface Hosted {
  definition: ModuleDefinition;
  implementation: ModuleImplementation<Contract>;
  router: ModuleApp;
  document: OpenApiDocument;
}

/**
 * createHost builds a process hosting the modules named by SEAM_MODULES (default: all).
 *
 * @example
 * const host = await createHost({ modules: [users, catalog], env: process.env });
 * await host.listen();
 */
export async function createHost(options: HostOptions): Promise<Host> {
  const { config, log, selected, database } = await openAndMigrate(options);
  const definitions = options.modules as readonly ModuleDefinition[];
  const version = options.version ?? '0.1.0';
  try {
    const registry = new OperationRegistry();
    const serviceToken = config.SEAM_SERVICE_TOKEN ?? randomBytes(32).toString('hex');
    const transports = new Map<string, Transport>();
    const local = createInProcessTransport(registry);
    const transportFor = (module: string): Transport => {
      if (registry.has(module)) return local;
      let transport = transports.get(module);
      if (!transport) {
        const baseUrls = config.SEAM_REMOTES[module];
        transport = baseUrls?.length
          ? createHttpTransport({ baseUrls, serviceToken })
          : unreachableTransport(module);
        transports.set(module, transport);
      }
      return transport;
    };
    const clientsFor = (caller: string): Clients => {
      const cache = new Map<string, unknown>();
      return {
        of<C extends Contract>(contract: C): ModuleClient<C> {
          let client = cache.get(contract.name) as ModuleClient<C> | undefined;
          if (!client) {
            // The transport is chosen per call so modules set up later are found in-process.
            const lazy: Transport = {
              kind: 'in-process',
              call: (...args) => transportFor(contract.name).call(...args),
            };
            client = createClient(contract, lazy, {
              caller,
              defaultTimeoutMs: config.SEAM_CALL_TIMEOUT_MS,
            });
            cache.set(contract.name, client);
          }
          return client;
        },
      };
    };

    const subscribersOf = new Map<string, string[]>();
    for (const definition of definitions) {
      for (const event of definition.consumes ?? []) {
        subscribersOf.set(event.type, [
          ...(subscribersOf.get(event.type) ?? []),
          definition.contract.name,
        ]);
      }
    }
    const bus = new EventBus({
      db: database.db,
      listen: (channel, onNotify) => database.listen(channel, onNotify),
      log: log.child({ component: 'events' }),
      publishers: selected.map((d) => d.contract.name),
      subscribersOf,
      remote: remoteEventDelivery(config.SEAM_REMOTES, serviceToken),
      pollMs: config.SEAM_EVENT_POLL_MS,
      retryBaseMs: config.SEAM_EVENT_RETRY_BASE_MS,
      retryMaxMs: config.SEAM_EVENT_RETRY_MAX_MS,
      maxAttempts: config.SEAM_EVENT_MAX_ATTEMPTS,
    });

    const hosted: Hosted[] = [];
    for (const definition of selected) {
      const name = definition.contract.name;
      const moduleLog = log.child({ module: name });
      const implementation = await definition.setup({
        name,
        db: database.db,
        config: config as never,
        log: moduleLog,
        clients: clientsFor(name),
        events: { publish: (tx, event, payload) => bus.publish(name, tx, event, payload) as never },
      });
      registry.register(definition.contract, implementation.operations, moduleLog);
      if (definition.consumes?.length) {
        bus.subscribe(name, {
          consumes: definition.consumes,
          handlers: implementation.handlers ?? [],
        });
      }
      const router = createModuleApp();
      implementation.routes(router);
      hosted.push({
        definition,
        implementation,
        router,
        document: moduleDocument(router, definition.contract, version),
      });
    }
    for (const { implementation } of hosted) await implementation.start?.();
    bus.start();

    const hostClients = clientsFor('host');
    const verifier = options.jwks
      ? createTokenVerifier(() => options.jwks!(hostClients), {
          issuer: config.SEAM_JWT_ISSUER,
          audience: config.SEAM_JWT_AUDIENCE,
        })
      : undefined;

    const eventsRouter = eventsAdminRouter(bus);
    const eventsDocument = moduleDocument(
      eventsRouter,
      { name: EVENTS_ROUTER_NAME, description: 'Domain event deliveries (outbox) of this process' },
      version,
    );
    const document = mergeOpenApiDocuments(
      {
        title: 'Seam API',
        version,
        description: `Modules hosted by ${config.SEAM_SERVICE}: ${hosted.map((h) => h.definition.contract.name).join(', ')}`,
      },
      [...hosted.map((h) => h.document), eventsDocument],
    );

    const state = { ready: true, server: undefined as ServerType | undefined };
    const app = buildApp({
      config,
      log,
      database,
      registry,
      bus,
      eventsRouter,
      serviceToken,
      verifier,
      hosted,
      document,
      isReady: () => state.ready,
    });

    let closing: Promise<void> | undefined;
    return {
      app,
      config,
      log,
      database,
      hosted: hosted.map((h) => h.definition.contract.name),
      clients: hostClients,
      document,
      async listen(port = config.PORT) {
        const { server, ...where } = await listenOn(app.fetch, {
          port,
          hostname: config.HOST,
          log,
          fields: { modules: hosted.map((h) => h.definition.contract.name) },
        });
        state.server = server;
        return where;
      },
      close() {
        closing ??= (async () => {
          state.ready = false;
          if (state.server) await stopServer(state.server, config.SEAM_SHUTDOWN_TIMEOUT_MS);
          await bus.stop();
          for (const { implementation } of [...hosted].reverse()) {
            await implementation
              .stop?.()
              .catch((err: unknown) => log.error({ err }, 'module stop failed'));
          }
          await database.close();
          log.info('stopped');
        })();
        return closing;
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}

/**
 * migrate applies the migrations of the modules SEAM_MODULES selects and closes
 * the database; `npm run db:migrate` runs it.
 */
export async function migrate(options: HostOptions): Promise<string[]> {
  const { selected, database } = await openAndMigrate(options);
  await database.close();
  return selected.map((d) => d.contract.name);
}

async function openAndMigrate(options: HostOptions) {
  const definitions = options.modules as readonly ModuleDefinition[];
  const config = loadConfig(
    options.env ?? process.env,
    definitions.map((d) => d.config ?? {}),
  );
  const known = definitions.map((d) => d.contract.name);
  let wanted = config.SEAM_MODULES ?? known;
  if (config.SEAM_TOPOLOGY) {
    // A topology names this process's modules and where every other one runs;
    // SEAM_REMOTES, when also set, overrides single modules' URLs.
    if (config.SEAM_MODULES) {
      throw new AppError({
        status: 500,
        code: 'invalid-configuration',
        detail:
          'Invalid configuration: set SEAM_TOPOLOGY (with SEAM_SERVICE) or SEAM_MODULES, not both',
      });
    }
    const topology = await loadTopology(config.SEAM_TOPOLOGY, known);
    const resolved = resolveService(topology, config.SEAM_SERVICE);
    wanted = resolved.hosted;
    config.SEAM_REMOTES = { ...resolved.remotes, ...config.SEAM_REMOTES };
  }
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new AppError({
      status: 500,
      code: 'invalid-configuration',
      detail: `Invalid configuration: SEAM_MODULES names unknown module(s) ${unknown.join(', ')}; known modules are ${known.join(', ')}`,
    });
  }
  const selected = definitions.filter((d) => wanted.includes(d.contract.name));
  const log =
    options.log ?? createLogger({ level: config.LOG_LEVEL, service: config.SEAM_SERVICE });
  const database = await createDatabase({
    url: config.DATABASE_URL,
    dataDir: join(config.SEAM_DATA_DIR, config.SEAM_SERVICE),
    log,
    applicationName: `seam-${config.SEAM_SERVICE}`,
  });
  try {
    for (const definition of selected) {
      const started = performance.now();
      await database.migrate(definition.contract.name, definition.migrationsFolder, {
        after: (db) => ensureEventTables(db, definition.contract.name),
      });
      log.debug(
        { module: definition.contract.name, ms: Math.round(performance.now() - started) },
        'migrated',
      );
    }
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return { config, log, selected, database };
}

function unreachableTransport(module: string): Transport {
  return {
    kind: 'http',
    call: () =>
      Promise.reject(
        AppError.unavailable(
          `Module ${module} is not hosted by this process and SEAM_REMOTES has no URL for it`,
          'module-unreachable',
        ),
      ),
  };
}

interface AppParts {
  config: PlatformConfig;
  log: Logger;
  database: DatabaseHandle;
  registry: OperationRegistry;
  bus: EventBus;
  eventsRouter: ModuleApp;
  serviceToken: string;
  verifier: TokenVerifier | undefined;
  hosted: Hosted[];
  document: OpenApiDocument;
  isReady: () => boolean;
}

function buildApp(parts: AppParts): Hono<SeamEnv> {
  const { config, log, database, registry, verifier } = parts;
  const app = new Hono<SeamEnv>();
  const limit = bodyLimit({
    maxSize: config.SEAM_BODY_LIMIT_BYTES,
    onError: (c) =>
      problemResponse(
        c,
        new AppError({
          status: 413,
          detail: `The request body is larger than ${config.SEAM_BODY_LIMIT_BYTES} bytes`,
        }),
      ),
  });

  const metrics = new Metrics({
    service: config.SEAM_SERVICE,
    modules: parts.hosted.map((h) => h.definition.contract.name),
  });
  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    c.set('log', log);
    c.set('user', undefined);
    c.set('authError', undefined);
    await runInScope({ requestId: c.get('requestId'), deadline: undefined }, next);
    const ms = performance.now() - started;
    metrics.observe(c.req.method, routeLabel(c), c.res.status, ms / 1000);
    log.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(ms * 10) / 10,
      },
      'request',
    );
  });
  app.use(methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedResponse }));
  app.use('/api/*', limit);
  app.use('/api/*', authenticate(verifier));

  for (const { definition, router } of parts.hosted) {
    app.route(`/api/${definition.contract.name}`, router);
  }
  app.route(`/api/${EVENTS_ROUTER_NAME}`, parts.eventsRouter);

  const serviceOnly = createMiddleware<SeamEnv>(async (c, next) => {
    const token = c.req.header(SERVICE_TOKEN_HEADER) ?? '';
    if (!safeEqual(token, parts.serviceToken)) {
      throw AppError.unauthorized(
        'Internal endpoints need a valid service credential',
        'invalid-service-token',
      );
    }
    await next();
  });

  app.post(`${INTERNAL_EVENTS_PATH}/:module`, limit, serviceOnly, async (c) => {
    const parsed = EventEnvelopeSchema.safeParse(await readJson(c.req.raw));
    if (!parsed.success) throw validationError(parsed.error, 'event envelope');
    const result = await parts.bus.consume(c.req.param('module'), parsed.data);
    return c.json({ result });
  });

  app.post(`${INTERNAL_OPERATIONS_PATH}/:module/:operation`, limit, serviceOnly, async (c) => {
    const input = await readJson(c.req.raw);
    const deadlineHeader = Number(c.req.header(DEADLINE_HEADER));
    const deadline =
      Number.isFinite(deadlineHeader) && deadlineHeader > 0
        ? deadlineHeader
        : Date.now() + config.SEAM_CALL_TIMEOUT_MS;
    const output = await registry.invoke(c.req.param('module'), c.req.param('operation'), input, {
      requestId: c.get('requestId'),
      caller: c.req.header(CALLER_HEADER) ?? 'unknown',
      deadline,
    });
    return c.json(output as object);
  });

  app.get('/openapi.json', (c) => c.json(parts.document));
  for (const { definition, document } of parts.hosted) {
    app.get(`/api/${definition.contract.name}/openapi.json`, (c) => c.json(document));
  }
  mountDocs(app, { title: 'Seam API', specUrl: '/openapi.json' });
  app.get('/', (c) =>
    c.json({
      name: 'seam',
      service: config.SEAM_SERVICE,
      modules: parts.hosted.map((h) => h.definition.contract.name),
      docs: '/docs',
      openapi: '/openapi.json',
    }),
  );

  app.get('/metrics', (c) =>
    c.body(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  app.get('/health/live', (c) => c.json({ status: 'ok' }));
  app.get('/health/ready', async (c) => {
    const checks: Record<string, string> = {};
    let ok = parts.isReady();
    checks.process = ok ? 'ok' : 'shutting down';
    try {
      await database.ping();
      checks.database = 'ok';
    } catch (error) {
      ok = false;
      checks.database = (error as Error).message;
    }
    return c.json(
      { status: ok ? 'ready' : 'unavailable', database: database.kind, checks },
      ok ? 200 : 503,
    );
  });

  app.notFound(notFoundHandler);
  app.onError(errorHandler(log));
  return app;
}

/** authenticate verifies a bearer token when one is sent; routes decide if one is required. */
function authenticate(verifier: TokenVerifier | undefined) {
  return createMiddleware<SeamEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (header) {
      const match = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/i.exec(header.trim());
      if (!match) {
        throw AppError.unauthorized(
          'The Authorization header must be "Bearer <access token>"',
          'invalid-token',
        );
      }
      if (!verifier) {
        throw AppError.unavailable(
          'This process cannot verify access tokens',
          'auth-keys-unavailable',
        );
      }
      c.set('user', await verifier.verify(match[1]!));
    }
    await next();
  });
}

async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new AppError({
      status: 400,
      code: 'malformed-json',
      detail: 'The request body is not valid JSON',
    });
  }
}

const EventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int(),
  source: z.string().min(1),
  occurredAt: z.iso.datetime({ offset: true }),
  payload: z.unknown(),
});

/** remoteEventDelivery posts envelopes to subscribers listed in SEAM_REMOTES. */
/**
 * remoteEventDelivery posts envelopes to subscribers listed in SEAM_REMOTES, to
 * one replica per attempt in turn; a failed attempt is retried by the bus.
 */
function remoteEventDelivery(
  remotes: Record<string, string[]>,
  serviceToken: string,
): RemoteDelivery {
  let turn = 0;
  return async (subscriber, envelope) => {
    const baseUrls = remotes[subscriber] ?? [];
    if (baseUrls.length === 0) {
      throw AppError.unavailable(
        `Subscriber ${subscriber} is not hosted here and SEAM_REMOTES has no URL for it`,
        'module-unreachable',
      );
    }
    const baseUrl = baseUrls[turn++ % baseUrls.length];
    const unreachable = (why: string) =>
      AppError.unavailable(
        `Subscriber ${subscriber} at ${baseUrl} is unreachable: ${why}`,
        'module-unreachable',
      );
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${INTERNAL_EVENTS_PATH}/${subscriber}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: serviceToken },
        body: JSON.stringify(envelope),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause;
      throw unreachable(cause?.message ?? (error as Error).message);
    }
    if (response.ok) return;
    const problem = await response.json().catch(() => null);
    // A bare 502–504 (no problem document) comes from something in front of the
    // subscriber or a dying process: the subscriber is not there, as with a refusal.
    if (!problem && response.status >= 502 && response.status <= 504) {
      throw unreachable(`HTTP ${response.status}`);
    }
    throw AppError.fromProblem(problem, 502);
  };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
