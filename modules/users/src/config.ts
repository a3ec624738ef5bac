// The users module's environment variables, validated with the platform's at
// start-up. The admin pair is checked together by checkAdminConfig.
import { AppError, z, type PlatformConfig } from '@seam/platform';
import { parsePrivateJwk } from './keys.js';

/** ADMIN_PASSWORD_MIN_LENGTH is stricter than a customer's: this account runs the shop. */
export const ADMIN_PASSWORD_MIN_LENGTH = 12;

function rate(perMinute: number) {
  return z.coerce.number().int().min(1).max(1_000_000).default(perMinute);
}

/** usersConfig is the module's config shape (see docs/modules/users.md). */
export const usersConfig = {
  /** SEAM_ADMIN_EMAIL names the first admin, created on start when missing. */
  SEAM_ADMIN_EMAIL: z.string().trim().toLowerCase().max(254).email().optional(),
  /** SEAM_ADMIN_PASSWORD is that admin's initial password; only read when creating it. */
  SEAM_ADMIN_PASSWORD: z.string().min(ADMIN_PASSWORD_MIN_LENGTH).max(256).optional(),
  /** SEAM_ACCESS_TOKEN_TTL_SECONDS is the lifetime of an access token: 1 minute to 1 day. */
  SEAM_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** Rate limits of sign-in and sign-up, per minute: per client address, and per email. */
  SEAM_LOGIN_RATE_PER_MINUTE: rate(60),
  SEAM_LOGIN_ACCOUNT_RATE_PER_MINUTE: rate(10),
  SEAM_REGISTER_RATE_PER_MINUTE: rate(20),
  SEAM_REGISTER_ACCOUNT_RATE_PER_MINUTE: rate(5),
  /** SEAM_JWT_PRIVATE_KEY is an Ed25519 private JWK (JSON); generated and stored when unset. */
  SEAM_JWT_PRIVATE_KEY: z
    .string()
    .transform((text, ctx) => {
      try {
        return parsePrivateJwk(text);
      } catch (error) {
        // The message never echoes the value: it is a secret.
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
};

export type UsersConfig = PlatformConfig & z.output<z.ZodObject<typeof usersConfig>>;

/** checkAdminConfig fails start-up when only one of the admin variables is set. */
export function checkAdminConfig(config: UsersConfig): void {
  const hasEmail = config.SEAM_ADMIN_EMAIL !== undefined;
  const hasPassword = config.SEAM_ADMIN_PASSWORD !== undefined;
  if (hasEmail === hasPassword) return;
  const [set, missing] = hasEmail
    ? ['SEAM_ADMIN_EMAIL', 'SEAM_ADMIN_PASSWORD']
    : ['SEAM_ADMIN_PASSWORD', 'SEAM_ADMIN_EMAIL'];
  throw new AppError({
    status: 500,
    code: 'invalid-configuration',
    title: 'Invalid configuration',
    detail: `Invalid configuration: ${set} is set but ${missing} is not; set both to create the first admin, or neither`,
    errors: [{ path: missing, message: `required when ${set} is set` }],
  });
}
