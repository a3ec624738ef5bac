// The one config loader: the environment parsed with zod. The platform's own
// variables are below; each module adds its own shape in its definition, and the
// host validates the union once at start-up.
import { isIP } from 'node:net';
import { z } from '@hono/zod-openapi';
import { AppError } from './errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL');

/**
 * REMOTES maps module names to the base URLs of the replicas hosting them, `|` between
 * replicas: `users=http://10.0.0.5:3000,catalog=http://10.0.0.6:3000|http://10.0.0.7:3000`.
 */
const remotes = z.string().transform((value, ctx) => {
  const map: Record<string, string[]> = {};
  for (const pair of value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const separator = pair.indexOf('=');
    const name = pair.slice(0, Math.max(separator, 0)).trim();
    const urls = pair
      .slice(separator + 1)
      .split('|')
      .map((url) => url.trim())
      .filter(Boolean);
    const valid = urls.every((url) => URL.canParse(url) && /^https?:\/\//.test(url));
    if (separator < 1 || !name || urls.length === 0 || !valid) {
      ctx.addIssue({
        code: 'custom',
        message: `"${pair}" is not module=http(s)://host:port (several replicas separated by |)`,
      });
      return z.NEVER;
    }
    if (map[name]) {
      ctx.addIssue({
        code: 'custom',
        message: `module ${name} is listed twice; separate its replica URLs with |`,
      });
      return z.NEVER;
    }
    map[name] = [...new Set(urls.map((url) => url.replace(/\/+$/, '')))];
  }
  return map;
});

/** NATS_URL is a NATS server address: nats:// (or tls://) host and port, nothing else. */
export const NATS_URL = /^(nats|tls):\/\/[^/?#\s@]+$/;
export const NATS_URL_MESSAGE =
  'must be a nats:// (or tls://) host:port URL, e.g. nats://127.0.0.1:4222';
/** NATS_PREFIX names the streams and subjects of one deployment on a shared NATS. */
export const NATS_PREFIX = /^[a-z][a-z0-9_]{0,31}$/;
export const NATS_PREFIX_MESSAGE =
  'lowercase letters, digits and underscores, starting with a letter (≤ 32)';

/** NATS_SERVERS lists NATS server URLs: `nats://10.0.0.5:4222,nats://10.0.0.6:4222`. */
const natsServers = z.string().transform((value, ctx) => {
  const servers = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = servers.find((s) => !NATS_URL.test(s));
  if (servers.length === 0 || bad !== undefined) {
    ctx.addIssue({
      code: 'custom',
      message:
        bad === undefined
          ? 'list nats://host:port URLs separated by commas'
          : `"${bad}" ${NATS_URL_MESSAGE}; list them separated by commas`,
    });
    return z.NEVER;
  }
  return servers;
});

/**
 * CORS_ORIGINS lists the browser origins allowed to call the API cross-origin:
 * `https://shop.example.com,http://localhost:5173`. Each must be an exact
 * origin (scheme, host, optional port; no path, no wildcard).
 */
const corsOrigins = z.string().transform((value, ctx) => {
  const origins = value
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      ctx.addIssue({
        code: 'custom',
        message: `"${origin}" is not an origin such as https://shop.example.com (no path, no trailing slash, no wildcard)`,
      });
      return z.NEVER;
    }
  }
  return origins;
});

/**
 * TRUST_PROXY lists the addresses (IPs or CIDR ranges, or `loopback`) of the
 * proxies — the gateway, a load balancer — whose `X-Forwarded-For` names the
 * client. Requests from any other peer are keyed by the peer's own address.
 */
const trustProxy = z.string().transform((value, ctx) => {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (entry === 'loopback') continue;
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    const validBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !validBits || extra !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or "loopback"`,
      });
      return z.NEVER;
    }
  }
  return entries;
});

const OTEL_EXPORTERS = ['otlp', 'console', 'zipkin', 'none'] as const;

/** OTEL_TRACES_EXPORTER is a comma-separated list of exporters, as the SDK reads it. */
const otelExporters = z.string().transform((value, ctx) => {
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(OTEL_EXPORTERS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${unknown.join(', ')}" is not one of ${OTEL_EXPORTERS.join(', ')}`,
    });
    return z.NEVER;
  }
  return names;
});

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' });

/**
 * OTEL_ENV lists the standard OpenTelemetry variables Seam validates (the SDK
 * reads them, and the other OTEL_* ones, itself); see docs/observability.md.
 */
const OTEL_ENV = {
  OTEL_SDK_DISABLED: booleanFlag.default(false),
  OTEL_TRACES_EXPORTER: otelExporters.optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['grpc', 'http/protobuf', 'http/json']).optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['grpc', 'http/protobuf', 'http/json']).optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
};

/** PlatformEnvSchema lists every variable the platform reads. Empty strings count as unset. */
export const PlatformEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** DATABASE_URL selects Postgres; without it each process uses PGlite under SEAM_DATA_DIR. */
  DATABASE_URL: postgresUrl.optional(),
  SEAM_DATA_DIR: z.string().min(1).default('.data'),
  /** SEAM_SERVICE names this process; it is also the PGlite folder under SEAM_DATA_DIR. */
  SEAM_SERVICE: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes')
    .default('monolith'),
  /** SEAM_MODULES lists the modules this process hosts (comma-separated); default: all. */
  SEAM_MODULES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    )
    .optional(),
  SEAM_REMOTES: remotes.default({}),
  /** SEAM_TOPOLOGY is a topology file (topology/<name>.json); see docs/splitting.md. */
  SEAM_TOPOLOGY: z.string().min(1).optional(),
  /** SEAM_SERVICE_TOKEN authenticates module-to-module calls; random per process when unset. */
  SEAM_SERVICE_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  SEAM_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  SEAM_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /**
   * SEAM_SHUTDOWN_DRAIN_MS: after SIGTERM, /health/ready answers 503 at once but
   * requests are still accepted this long, so a gateway or load balancer probing
   * readiness moves traffic away before the listener closes (a rolling restart
   * without failed requests). Set it above the prober's interval. Its answers say
   * `x-seam-draining`, so Seam's callers move away at once (see http/serve.ts).
   */
  SEAM_SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  SEAM_CALL_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(5_000),
  SEAM_DEMO_DATA: booleanFlag.default(true),
  /** Event delivery: poll interval, retry backoff and the attempts before a delivery fails. */
  SEAM_EVENT_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  SEAM_EVENT_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1_000),
  SEAM_EVENT_RETRY_MAX_MS: z.coerce.number().int().min(1).max(86_400_000).default(300_000),
  SEAM_EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * SEAM_EVENT_TRANSPORT: how events reach subscribers in other services — `http`
   * pushes from the outbox, `nats` relays through JetStream (SEAM_NATS_SERVERS).
   * A topology's `events` sets both; these variables override it.
   */
  SEAM_EVENT_TRANSPORT: z.enum(['http', 'nats']).optional(),
  /** SEAM_NATS_SERVERS lists the NATS servers (comma-separated nats:// URLs). */
  SEAM_NATS_SERVERS: natsServers.optional(),
  /** SEAM_NATS_PREFIX names this deployment's streams and subjects on a shared NATS (default seam). */
  SEAM_NATS_PREFIX: z.string().regex(NATS_PREFIX, NATS_PREFIX_MESSAGE).optional(),
  SEAM_JWT_ISSUER: z.string().min(1).default('seam'),
  SEAM_JWT_AUDIENCE: z.string().min(1).default('seam'),
  /** SEAM_CORS_ORIGINS opens the API to these browser origins; unset, no cross-origin access. */
  SEAM_CORS_ORIGINS: corsOrigins.default([]),
  /** SEAM_TRUST_PROXY names the proxies whose X-Forwarded-For is believed (rate limits per client). */
  SEAM_TRUST_PROXY: trustProxy.default([]),
  ...OTEL_ENV,
});

export type PlatformConfig = z.output<typeof PlatformEnvSchema>;

export type TelemetryConfig = z.output<z.ZodObject<typeof OTEL_ENV>>;

/**
 * loadTelemetryConfig reads only the OTEL_* variables (the SDK starts before the
 * rest of the configuration is loaded); bad values fail like loadConfig's.
 */
export function loadTelemetryConfig(env: Env): TelemetryConfig {
  return loadConfigOf(z.object(OTEL_ENV), env);
}

/**
 * tracesExported tells whether the OTEL_* variables ask for spans to be
 * exported: an exporter other than `none`, or an OTLP endpoint, and the SDK not
 * disabled. Otherwise Seam records no spans at all.
 */
export function tracesExported(config: TelemetryConfig): boolean {
  if (config.OTEL_SDK_DISABLED) return false;
  if (config.OTEL_TRACES_EXPORTER) return config.OTEL_TRACES_EXPORTER.some((n) => n !== 'none');
  return Boolean(config.OTEL_EXPORTER_OTLP_ENDPOINT ?? config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

type Env = Record<string, string | undefined>;

/**
 * loadConfig parses `env` with the platform schema merged with `extra` shapes.
 * It throws one AppError (code `invalid-configuration`) naming every bad variable.
 *
 * @example
 * const config = loadConfig(process.env, [{ SEAM_ADMIN_EMAIL: z.email().optional() }]);
 */
export function loadConfig<Extra extends z.ZodRawShape = Record<never, never>>(
  env: Env,
  extra: z.ZodRawShape[] = [],
): PlatformConfig & z.output<z.ZodObject<Extra>> {
  const shape = Object.assign({}, PlatformEnvSchema.shape, ...extra) as z.ZodRawShape;
  return loadConfigOf(z.object(shape), env) as PlatformConfig & z.output<z.ZodObject<Extra>>;
}

function loadConfigOf<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const errors = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
      code: issue.code,
    }));
    const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new AppError({
      status: 500,
      code: 'invalid-configuration',
      title: 'Invalid configuration',
      detail: `Invalid configuration: ${detail}`,
      errors,
    });
  }
  return result.data;
}
