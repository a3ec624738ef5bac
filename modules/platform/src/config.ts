// The one config loader: the environment parsed with zod. The platform's own
// variables are below; each module adds its own shape in its definition, and the
// host validates the union once at start-up.
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
  SEAM_CALL_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(5_000),
  SEAM_DEMO_DATA: booleanFlag.default(true),
  /** Event delivery: poll interval, retry backoff and the attempts before a delivery fails. */
  SEAM_EVENT_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  SEAM_EVENT_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1_000),
  SEAM_EVENT_RETRY_MAX_MS: z.coerce.number().int().min(1).max(86_400_000).default(300_000),
  SEAM_EVENT_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  SEAM_JWT_ISSUER: z.string().min(1).default('seam'),
  SEAM_JWT_AUDIENCE: z.string().min(1).default('seam'),
});

export type PlatformConfig = z.output<typeof PlatformEnvSchema>;

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
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') cleaned[key] = value;
  }
  const result = z.object(shape).safeParse(cleaned);
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
  return result.data as PlatformConfig & z.output<z.ZodObject<Extra>>;
}
