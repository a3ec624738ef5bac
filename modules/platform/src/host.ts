// The host: turns a list of module definitions and the environment into one
// running process. It opens the database and migrates the hosted modules
// (host/open.ts), wires their typed clients — in-process for hosted modules,
// HTTP for the others (host/remotes.ts) — and their events, builds the app
// (host/app.ts) with the internal endpoints (host/internal.ts), and listens and
// shuts down gracefully.
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import type { JSONWebKeySet } from 'jose';
import { createTokenVerifier } from './auth.js';
import type { PlatformConfig } from './config.js';
import type { Contract } from './contract.js';
import type { DatabaseHandle } from './database.js';
import { EVENTS_ADMIN, eventsAdminRouter } from './events/admin-routes.js';
import { EventBus } from './events/bus.js';
import type { JetStreamBroker } from './events/jetstream.js';
import type { SeamEnv } from './http/env.js';
import { Metrics } from './http/metrics.js';
import {
  createModuleApp,
  mergeOpenApiDocuments,
  moduleDocument,
  type OpenApiDocument,
} from './http/openapi.js';
import { drainServer, listenOn, stopServer, type ServerType } from './http/serve.js';
import { RecentErrors } from './http/recent-errors.js';
import { buildHostApp, hostReadiness } from './host/app.js';
import { consoleDocument, consoleRouter } from './host/console.js';
import { hostConsole } from './host/console-source.js';
import { internalEndpoints } from './host/internal.js';
import { hostCollector, publisherPairs, readOutboxesOf } from './host/metrics.js';
import { openAndMigrate, type OpenOptions } from './host/open.js';
import { createRemotes } from './host/remotes.js';
import type { Logger } from './logger.js';
import type { Clients, ModuleApp, ModuleDefinition, ModuleImplementation } from './module.js';
import { moduleGraph, recordCalls, type ModuleGraph } from './module-graph.js';
import { OperationRegistry } from './operations.js';

export { migrate } from './host/open.js';

export interface HostOptions extends OpenOptions {
  /** version is reported in OpenAPI `info.version`. */
  version?: string;
  /** jwks fetches the token signing keys, typically through the users contract. */
  jwks?: (clients: Clients) => Promise<JSONWebKeySet>;
  /** consoleDir holds the built operator console (apps/console/dist), served at /console. */
  consoleDir?: string;
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
  /** graph is the module graph of the hosted modules, calls as recorded in their setup. */
  readonly graph: ModuleGraph;
  /** metrics is what GET /metrics renders; `metrics.snapshot()` summarises it (the console). */
  readonly metrics: Metrics;
  /** listen starts the HTTP server on PORT/HOST (port 0 picks a free one). */
  listen(port?: number): Promise<{ port: number; url: string }>;
  /** close stops accepting, lets in-flight requests finish, stops modules, closes the DB. */
  close(): Promise<void>;
}

interface Hosted {
  name: string;
  implementation: ModuleImplementation<Contract>;
  router: ModuleApp;
  /** document renders the module's OpenAPI document on first use (≈ 20–30 ms of zod-to-openapi each). */
  document: () => OpenApiDocument;
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
  let broker: JetStreamBroker | undefined;
  try {
    const registry = new OperationRegistry();
    const serviceToken = config.SEAM_SERVICE_TOKEN ?? randomBytes(32).toString('hex');
    const names = selected.map((d) => d.contract.name);
    const metrics = new Metrics({ service: config.SEAM_SERVICE, modules: names });
    const remotes = createRemotes({
      registry,
      remotes: config.SEAM_REMOTES,
      serviceToken,
      callTimeoutMs: config.SEAM_CALL_TIMEOUT_MS,
      observer: metrics,
    });

    const subscribersOf = new Map<string, string[]>();
    for (const definition of definitions) {
      for (const event of definition.consumes ?? []) {
        subscribersOf.set(event.type, [
          ...(subscribersOf.get(event.type) ?? []),
          definition.contract.name,
        ]);
      }
    }
    broker = await eventBroker(config, log);
    const bus = new EventBus({
      db: database.db,
      listen: (channel, onNotify) => database.listen(channel, onNotify),
      log: log.child({ component: 'events' }),
      publishers: selected.map((d) => d.contract.name),
      subscribersOf,
      remote: remotes.deliver,
      broker,
      pollMs: config.SEAM_EVENT_POLL_MS,
      retryBaseMs: config.SEAM_EVENT_RETRY_BASE_MS,
      retryMaxMs: config.SEAM_EVENT_RETRY_MAX_MS,
      maxAttempts: config.SEAM_EVENT_MAX_ATTEMPTS,
      metrics,
    });
    metrics.collect(
      hostCollector({
        database,
        readOutboxes: readOutboxesOf(database, names),
        pairs: publisherPairs(names, subscribersOf, broker !== undefined),
        breakers: () => remotes.replicaSets(),
        log,
      }),
    );

    const hosted: Hosted[] = [];
    const called: Record<string, readonly string[]> = {};
    for (const definition of selected) {
      const name = definition.contract.name;
      const moduleLog = log.child({ module: name });
      const recorder = recordCalls(name, remotes.clientsFor(name));
      const implementation = await definition.setup({
        name,
        db: database.db,
        config: config as never,
        log: moduleLog,
        clients: recorder.clients,
        events: { publish: (tx, event, payload) => bus.publish(name, tx, event, payload) as never },
      });
      recorder.seal();
      called[name] = recorder.contracts;
      registry.register(definition.contract, implementation.operations, moduleLog);
      if (definition.consumes?.length) {
        bus.subscribe(name, {
          consumes: definition.consumes,
          handlers: implementation.handlers ?? [],
        });
      }
      const router = createModuleApp();
      implementation.routes(router);
      const document = once(() => moduleDocument(router, definition.contract, version));
      hosted.push({ name, implementation, router, document });
    }
    for (const { name, implementation } of hosted) {
      if (!implementation.start) continue;
      const started = performance.now();
      await implementation.start();
      log.debug({ module: name, ms: Math.round(performance.now() - started) }, 'started');
    }
    bus.start();
    broker?.subscribe(bus.brokerSubscriptions(), (...args) => bus.receive(...args));

    const hostClients = remotes.clientsFor('host');
    const verifier = options.jwks
      ? createTokenVerifier(() => options.jwks!(hostClients), {
          issuer: config.SEAM_JWT_ISSUER,
          audience: config.SEAM_JWT_AUDIENCE,
        })
      : undefined;

    const eventsRouter = eventsAdminRouter(bus);
    const graph = moduleGraph(selected, called);
    const recentErrors = new RecentErrors();
    const state = {
      ready: true,
      server: undefined as ServerType | undefined,
      url: undefined as string | undefined,
    };
    const consoleApp = consoleRouter(
      hostConsole({
        service: config.SEAM_SERVICE,
        modules: names,
        graph,
        bus,
        metrics,
        recentErrors,
        remotes: () => remotes.status(),
        readiness: () => hostReadiness({ database, isReady: () => state.ready }),
        url: () => state.url,
      }),
    );
    // Rendered on the first request for it, not at start: the whole document
    // costs ≈ 150–200 ms of the start (most of it zod-to-openapi).
    const document = once(() =>
      mergeOpenApiDocuments(
        {
          title: 'Seam API',
          version,
          description: `Modules hosted by ${config.SEAM_SERVICE}: ${names.join(', ')}`,
        },
        [
          ...hosted.map((h) => h.document()),
          moduleDocument(eventsRouter, EVENTS_ADMIN, version),
          consoleDocument(consoleApp, version),
        ],
      ),
    );

    const internal = internalEndpoints({
      registry,
      bus,
      serviceToken,
      bodyLimitBytes: config.SEAM_BODY_LIMIT_BYTES,
      callTimeoutMs: config.SEAM_CALL_TIMEOUT_MS,
      log,
      metrics,
    });
    const app = buildHostApp({
      config,
      log,
      metrics,
      database,
      verifier,
      routers: hosted,
      eventsRouter,
      consoleRouter: consoleApp,
      recentErrors,
      consoleDir: options.consoleDir,
      document,
      internal: internal.mount,
      isReady: () => state.ready,
    });

    let closing: Promise<void> | undefined;
    return {
      app,
      config,
      log,
      database,
      hosted: names,
      clients: hostClients,
      get document() {
        return document();
      },
      graph,
      metrics,
      async listen(port = config.PORT) {
        const { server, ...where } = await listenOn(app.fetch, {
          port,
          hostname: config.HOST,
          log,
          fields: { modules: names },
          direct: internal.node,
        });
        state.server = server;
        state.url = where.url;
        return where;
      },
      close() {
        closing ??= (async () => {
          state.ready = false;
          if (state.server && config.SEAM_SHUTDOWN_DRAIN_MS > 0) {
            log.info({ drainMs: config.SEAM_SHUTDOWN_DRAIN_MS }, 'not ready; draining');
            drainServer(state.server, config.SEAM_SHUTDOWN_DRAIN_MS);
            await new Promise((resolve) => setTimeout(resolve, config.SEAM_SHUTDOWN_DRAIN_MS));
          }
          if (state.server) await stopServer(state.server, config.SEAM_SHUTDOWN_TIMEOUT_MS);
          await bus.stop();
          await broker?.close();
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
    await broker?.close().catch(() => {});
    await database.close().catch(() => {});
    throw error;
  }
}

/**
 * eventBroker is the JetStream broker when SEAM_EVENT_TRANSPORT (or the
 * topology's `events`) says `nats` (openAndMigrate made sure servers are set);
 * undefined for the default HTTP push.
 */
async function eventBroker(
  config: PlatformConfig,
  log: Logger,
): Promise<JetStreamBroker | undefined> {
  if (config.SEAM_EVENT_TRANSPORT !== 'nats' || !config.SEAM_NATS_SERVERS) return undefined;
  // Loaded only when chosen: a process on HTTP push never loads the NATS client.
  const { JetStreamBroker } = await import('./events/jetstream.js');
  return new JetStreamBroker({
    servers: config.SEAM_NATS_SERVERS,
    prefix: config.SEAM_NATS_PREFIX,
    name: `seam-${config.SEAM_SERVICE}`,
    log: log.child({ component: 'nats' }),
  });
}

/** once returns a function that computes `make()` on its first call and returns that value ever after. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
