// @seam/platform: the runtime every module and host is built on.
export { z, createRoute } from '@hono/zod-openapi';
export {
  AppError,
  isAppError,
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
  send,
  type SendFailure,
  type SendOptions,
  type SendResult,
} from './remote/http.js';
export {
  createBaseApp,
  type BaseAppOptions,
  type BaseEnv,
  type Readiness,
} from './http/base-app.js';
export { OperationRegistry } from './operations.js';
export { BEARER_SECURITY, requireAuth } from './http/auth.js';
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
  mergeOpenApiDocuments,
  moduleDocument,
  problemResponses,
  type OpenApiDocument,
} from './http/openapi.js';
export { problemResponse } from './http/problem.js';
export type { SeamEnv } from './http/env.js';
export { createHost, migrate, type Host, type HostOptions } from './host.js';
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
export { Metrics, routeLabel } from './http/metrics.js';
export {
  loadTopology,
  parseTopology,
  resolveService,
  serviceOf,
  topologyJsonSchema,
  TopologySchema,
  type ResolvedService,
  type Topology,
  type TopologyService,
} from './topology.js';
export { decodeCursor, encodeCursor, type CursorPosition } from './cursor.js';
export { listenOn, stopServer, type ListenOptions, type ServerType } from './http/serve.js';
export { runMain, startupErrorLines, type Running } from './run-main.js';
