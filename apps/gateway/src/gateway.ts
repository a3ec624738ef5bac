// The gateway: the single public entry of a split deployment. It routes
// `/api/<module>/*` to the replicas of the service hosting the module (per the
// topology), serves the merged OpenAPI document and the docs UI, reports every
// service in `/health/ready`, and never routes `/internal/*`.
import {
  AppError,
  authenticate,
  CONSOLE_ROUTER_NAME,
  consoleDocument,
  consoleRouter,
  breakerGauges,
  createBaseApp,
  createTokenVerifier,
  Metrics,
  mountConsolePage,
  readJson,
  RecentErrors,
  send,
  type TokenVerifier,
  createLogger,
  listenOn,
  loadConfig,
  loadTopology,
  mountDocs,
  notFoundHandler,
  serviceOf,
  stopServer,
  z,
  type HostOptions,
  type Logger,
  type PlatformConfig,
  type ServerType,
  type Topology,
} from '@seam/platform';
import type { Context, Hono } from 'hono';
import { gatewayConsole } from './console.js';
import type { GatewayEnv } from './env.js';
import { ServiceDocuments } from './openapi.js';
import { proxy } from './proxy.js';
import { ReplicaPool } from './replicas.js';

/** JSONWebKeySet is the users module's signing keys, as hosts load them. */
type JSONWebKeySet = Awaited<ReturnType<NonNullable<HostOptions['jwks']>>>;

/** DEFAULT_TOPOLOGY is read when SEAM_TOPOLOGY is unset (relative to the working directory). */
export const DEFAULT_TOPOLOGY = 'topology/split.json';

/** GatewayEnvShape is the gateway's own configuration, validated with the platform's. */
export const GatewayEnvShape = {
  /** SEAM_GATEWAY_TIMEOUT_MS bounds a proxied request: every attempt and the response body. */
  SEAM_GATEWAY_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(15_000),
  /** SEAM_GATEWAY_EJECT_MS is how long a failed replica gets no traffic before it is probed. */
  SEAM_GATEWAY_EJECT_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
  /** SEAM_GATEWAY_PROBE_MS is the pause between two rounds of `/health/ready` probes. */
  SEAM_GATEWAY_PROBE_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
};

export type GatewayConfig = PlatformConfig & z.output<z.ZodObject<typeof GatewayEnvShape>>;

export interface GatewayOptions {
  /** consoleDir holds the built operator console (apps/console/dist), served at /console. */
  consoleDir?: string;
  /**
   * jwks loads the token signing keys for the gateway's own routes (the console);
   * by default they are fetched from a replica of the service hosting users.
   */
  jwks?: () => Promise<JSONWebKeySet>;
  /** topology to serve; read from SEAM_TOPOLOGY (default topology/split.json) when omitted. */
  topology?: Topology;
  env?: Record<string, string | undefined>;
  log?: Logger;
}

export interface Gateway {
  readonly app: Hono<GatewayEnv>;
  readonly config: GatewayConfig;
  readonly topology: Topology;
  readonly log: Logger;
  readonly pool: ReplicaPool;
  /** listen starts the HTTP server on PORT/HOST (port 0 picks a free one). */
  listen(port?: number): Promise<{ port: number; url: string }>;
  /** close stops accepting, lets in-flight requests finish (bounded) and stops probing. */
  close(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 2_000;
const DOCUMENT_TIMEOUT_MS = 5_000;
const CONSOLE_TIMEOUT_MS = 3_000;

/**
 * createGateway builds the gateway for a topology.
 *
 * @example
 * const gateway = await createGateway({ env: process.env });
 * await gateway.listen();
 */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const env = options.env ?? process.env;
  const config = loadConfig(env, [GatewayEnvShape]) as GatewayConfig;
  const topology =
    options.topology ?? (await loadTopology(config.SEAM_TOPOLOGY ?? DEFAULT_TOPOLOGY));
  const service = env.SEAM_SERVICE ? config.SEAM_SERVICE : 'gateway';
  const log = options.log ?? createLogger({ level: config.LOG_LEVEL, service });
  const modulesOf = Object.fromEntries(
    Object.entries(topology.services).map(([name, s]) => [name, s.modules]),
  );

  const pool = new ReplicaPool({
    topology,
    ejectMs: config.SEAM_GATEWAY_EJECT_MS,
    probeMs: config.SEAM_GATEWAY_PROBE_MS,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
    log,
    // Called from probes and requests only, after `documents` exists.
    onChange(name, event) {
      if (event === 'down') documents.drop(name);
      else void documents.refresh(name);
    },
  });
  const metrics = new Metrics({
    service: 'gateway',
    modules: Object.values(topology.services).flatMap((s) => s.modules),
  });
  // The replicas the gateway forwards to: up, and their breakers, read at every scrape.
  metrics.collect(() => `${replicaGauges(pool)}${breakerGauges(pool.replicaSets()).join('\n')}\n`);
  const recentErrors = new RecentErrors();
  const consoleApp = consoleRouter(
    gatewayConsole({ topology, pool, metrics, recentErrors, timeoutMs: CONSOLE_TIMEOUT_MS }),
  );
  const documents = new ServiceDocuments({
    pool,
    modulesOf,
    timeoutMs: DOCUMENT_TIMEOUT_MS,
    log,
    own: [consoleDocument(consoleApp, '0.1.0')],
  });

  const state = { closing: false, server: undefined as ServerType | undefined };
  const app = buildApp({
    config,
    log,
    topology,
    pool,
    documents,
    metrics,
    recentErrors,
    consoleApp,
    consoleDir: options.consoleDir,
    verifier: options.jwks
      ? createTokenVerifier(options.jwks, {
          issuer: config.SEAM_JWT_ISSUER,
          audience: config.SEAM_JWT_AUDIENCE,
        })
      : usersVerifier(config, topology, pool),
    isClosing: () => state.closing,
  });
  pool.start();

  let closing: Promise<void> | undefined;
  return {
    app,
    config,
    topology,
    log,
    pool,
    async listen(port = config.PORT) {
      const { server, ...where } = await listenOn(app.fetch, {
        port,
        hostname: config.HOST,
        log,
        fields: { services: Object.keys(topology.services) },
      });
      state.server = server;
      return where;
    },
    close() {
      closing ??= (async () => {
        state.closing = true;
        if (state.server) await stopServer(state.server, config.SEAM_SHUTDOWN_TIMEOUT_MS);
        await pool.stop();
        log.info('stopped');
      })();
      return closing;
    },
  };
}

interface AppParts {
  config: GatewayConfig;
  log: Logger;
  topology: Topology;
  pool: ReplicaPool;
  documents: ServiceDocuments;
  metrics: Metrics;
  recentErrors: RecentErrors;
  consoleApp: ReturnType<typeof consoleRouter>;
  consoleDir: string | undefined;
  verifier: TokenVerifier | undefined;
  isClosing: () => boolean;
}

function buildApp(parts: AppParts): Hono<GatewayEnv> {
  const { config, log, topology, pool, documents } = parts;
  const app = createBaseApp<GatewayEnv>({
    service: 'gateway',
    modules: Object.values(topology.services).flatMap((s) => s.modules),
    log,
    metrics: parts.metrics,
    recentErrors: parts.recentErrors,
    bodyLimitBytes: config.SEAM_BODY_LIMIT_BYTES,
    corsOrigins: config.SEAM_CORS_ORIGINS,
    accessLog: (c) => ({ upstream: c.get('upstream') }),
    routeOf: (c) => c.get('route'),
    readiness() {
      const services = Object.fromEntries(
        Object.entries(pool.status()).map(([name, status]) => [
          name,
          { ...status, documented: documents.documented(name) },
        ]),
      );
      const ready = !parts.isClosing() && Object.values(services).every((s) => s.ready);
      return {
        ready,
        body: {
          status: ready ? 'ready' : 'unavailable',
          ...(parts.isClosing() ? { process: 'shutting down' } : {}),
          services,
        },
      };
    },
  });

  // Module-to-module operations and event deliveries are never reachable from outside.
  app.all('/internal/*', notFoundHandler);

  // The console's routes are the gateway's own (before /api/:module): the token is
  // checked here with the users module's keys, then passed on to every service.
  app.use(`/api/${CONSOLE_ROUTER_NAME}/*`, authenticate(parts.verifier));
  app.route(`/api/${CONSOLE_ROUTER_NAME}`, parts.consoleApp);

  const forward = async (c: Context<GatewayEnv>) => {
    const module = c.req.param('module') ?? '';
    const service = serviceOf(topology, module);
    if (!service) return notFoundHandler(c);
    c.set('route', `/api/${module}/*`);
    return proxy(c, { service, module }, { pool, timeoutMs: config.SEAM_GATEWAY_TIMEOUT_MS });
  };
  app.all('/api/:module', forward);
  app.all('/api/:module/*', forward);

  app.get('/openapi.json', async (c) => c.json(await documents.document()));
  mountDocs(app, { title: 'Seam API', specUrl: '/openapi.json' });
  mountConsolePage(app, parts.consoleDir);
  app.get('/', (c) =>
    c.json({
      name: 'seam',
      service: 'gateway',
      services: Object.fromEntries(
        Object.entries(topology.services).map(([name, s]) => [name, s.modules]),
      ),
      docs: '/docs',
      console: '/console',
      openapi: '/openapi.json',
    }),
  );
  return app;
}

/**
 * usersVerifier checks bearer tokens for the gateway's own routes (the console)
 * against the users module's JWKS, fetched from a replica of the service hosting it.
 */
function usersVerifier(
  config: GatewayConfig,
  topology: Topology,
  pool: ReplicaPool,
): TokenVerifier | undefined {
  const service = serviceOf(topology, 'users');
  if (!service) return undefined;
  return createTokenVerifier(
    async () => {
      for (const replica of pool.candidates(service)) {
        try {
          const result = await send(replica.url, {
            method: 'GET',
            path: '/api/users/.well-known/jwks.json',
            headers: { accept: 'application/json' },
            timeoutMs: CONSOLE_TIMEOUT_MS,
          });
          const body = await readJson(result);
          if (result.statusCode === 200) return body as JSONWebKeySet;
        } catch {
          // The next replica may answer.
        }
      }
      throw AppError.unavailable(
        'The users service does not answer: tokens cannot be checked now',
        'auth-keys-unavailable',
      );
    },
    { issuer: config.SEAM_JWT_ISSUER, audience: config.SEAM_JWT_AUDIENCE },
  );
}

function replicaGauges(pool: ReplicaPool): string {
  const lines = [
    '# HELP seam_gateway_replica_up Whether the gateway sends traffic to a replica (0 while ejected).',
    '# TYPE seam_gateway_replica_up gauge',
  ];
  for (const [service, status] of Object.entries(pool.status())) {
    for (const replica of status.replicas) {
      const up = replica.state === 'ejected' ? 0 : 1;
      lines.push(`seam_gateway_replica_up{service="${service}",replica="${replica.url}"} ${up}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
