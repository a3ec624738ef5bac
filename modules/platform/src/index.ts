// @seam/platform: the runtime every module and host is built on.
export { z, createRoute } from '@hono/zod-openapi';
export {
  AppError,
  isAppError,
  databaseUnreachable,
  validationError,
  fieldErrorsFromZod,
  ProblemSchema,
  FieldErrorSchema,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_PREFIX,
  type FieldError,
  type Problem,
} from './errors.js';
export { loadConfig, PlatformEnvSchema, type PlatformConfig } from './config.js';
export { createLogger, type Logger } from './logger.js';
export {
  SEAM_MODULE,
  SEAM_OPERATION,
  SEAM_TRANSPORT,
  setTracingOn,
  tracingOn,
  TRACEPARENT_HEADER,
} from './tracing.js';
export { startTelemetry, type Telemetry } from './telemetry.js';
export {
  createDatabase,
  MIGRATIONS_TABLE,
  preparedQuery,
  type Database,
  type DatabaseHandle,
} from './database.js';
export {
  defineContract,
  defineOperation,
  type CallContext,
  type CallOptions,
  type Contract,
  type ModuleClient,
  type OperationDefinition,
  type OperationHandlers,
  type OperationInput,
  type OperationOutput,
} from './contract.js';
export {
  defineModule,
  type Clients,
  type ModuleApp,
  type ModuleContext,
  type ModuleDefinition,
  type ModuleImplementation,
} from './module.js';
export {
  createClient,
  createHttpTransport,
  createInProcessTransport,
  DEADLINE_HEADER,
  httpReplicas,
  INTERNAL_OPERATIONS_PATH,
  SERVICE_TOKEN_HEADER,
  type HttpTransportOptions,
  type Transport,
} from './client.js';
export {
  ReplicaSet,
  type Replica,
  type ReplicaSetOptions,
  type ReplicaState,
  type ReplicaStatus,
} from './remote/replicas.js';
export {
  classify,
  DRAINING_HEADER,
  readJson,
  send,
  type SendFailure,
  type SendOptions,
  type SendResult,
} from './remote/http.js';
export {
  createBaseApp,
  limitBody,
  type BaseAppOptions,
  type BaseEnv,
  type Readiness,
} from './http/base-app.js';
export { OperationRegistry } from './operations.js';
export {
  authRequirement,
  BEARER_SECURITY,
  PUBLIC_SECURITY,
  requireAuth,
  type AuthRequirement,
} from './http/auth.js';
export {
  createTokenSigner,
  createTokenVerifier,
  generateSigningKey,
  ROLES,
  TOKEN_ALGORITHM,
  type AuthUser,
  type Role,
  type SigningKey,
  type TokenVerifier,
} from './auth.js';
export {
  createModuleApp,
  jsonBody,
  jsonContent,
  API_LICENSE,
  API_SERVERS,
  mergeOpenApiDocuments,
  moduleDocument,
  problemResponses,
  routesDocument,
  type OpenApiDocument,
} from './http/openapi.js';
export { problemResponse } from './http/problem.js';
export type { SeamEnv } from './http/env.js';
export { createHost, migrate, type Host, type HostOptions } from './host.js';
export { EVENTS_ADMIN } from './events/admin-routes.js';
export {
  moduleGraph,
  recordCalls,
  type CalledContracts,
  type CallEdge,
  type CallRecorder,
  type EventEdge,
  type GraphEvent,
  type GraphModule,
  type GraphOperation,
  type GraphRoute,
  type ModuleGraph,
} from './module-graph.js';
export {
  defineEvent,
  type EventContext,
  type EventDefinition,
  type EventEnvelope,
  type EventHandler,
  on,
} from './events/define.js';
export type { Events } from './module.js';
export { MoneySchema, type Money } from './money.js';
export { mountDocs } from './http/docs.js';
export { errorHandler, methodNotAllowedResponse, notFoundHandler } from './http/problem.js';
export {
  breakerGauges,
  Metrics,
  METRICS,
  METRICS_BUCKETS,
  routeLabel,
  type MetricDefinition,
  type MetricsSnapshot,
  type OperationSummary,
  type RouteSeries,
  type RouteSummary,
} from './http/metrics.js';
export {
  loadTopology,
  parseTopology,
  resolveService,
  serviceOf,
  topologyJsonSchema,
  TopologySchema,
  type ResolvedService,
  type Topology,
  type TopologyEvents,
  type TopologyService,
} from './topology.js';
export {
  beyondCursor,
  CURSOR_EXAMPLE,
  CursorQuerySchema,
  decodeCursor,
  encodeCursor,
  keysetPage,
  type CursorPosition,
} from './cursor.js';
export { listenOn, stopServer, type ListenOptions, type ServerType } from './http/serve.js';
export {
  clientAddress,
  RateLimiter,
  rateLimit,
  tooManyRequests,
  trustedProxies,
  type RateLimitRule,
} from './http/rate-limit.js';
export { SECURITY_HEADERS } from './http/security-headers.js';
export { runMain, startupErrorLines, type Running } from './run-main.js';
export { RecentErrors, type RecentError } from './http/recent-errors.js';
export { mountConsolePage, CONSOLE_PATH } from './http/console-page.js';
export { authenticate } from './http/auth.js';
export {
  consoleRouter,
  consoleDocument,
  CONSOLE_API,
  subscriberCounts,
  mergeGraphs,
  CONSOLE_ROUTER_NAME,
  ConsoleStateSchema,
  type ConsoleSource,
  type ConsoleState,
  type ConsoleDelivery,
  type ConsoleProcess,
  type ConsoleService,
} from './host/console.js';
