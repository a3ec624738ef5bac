// The orders module's environment variables, validated with the platform's at
// start-up.
import { z, type PlatformConfig } from '@seam/platform';

/** CRASH_POINTS are the saga steps after which a test may kill the process. */
export const CRASH_POINTS = ['order', 'reserve', 'charge', 'commit'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** ordersConfig is the module's config shape (see docs/modules/orders.md). */
export const ordersConfig = {
  /**
   * SEAM_SAGA_TIMEOUT_SECONDS: a pending order nobody moved forward for this long
   * is taken over by recovery. Keep it well above SEAM_CALL_TIMEOUT_MS.
   */
  SEAM_SAGA_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * SEAM_TEST_CRASH_AFTER kills the process (SIGKILL) right after that saga step,
   * to prove recovery. Honoured only when NODE_ENV=test; ignored otherwise.
   */
  SEAM_TEST_CRASH_AFTER: z.enum(CRASH_POINTS).optional(),
};

export type OrdersConfig = PlatformConfig & z.output<z.ZodObject<typeof ordersConfig>>;
