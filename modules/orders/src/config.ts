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
   * SEAM_CHECKOUT_DEADLINE_SECONDS: how long after it was placed recovery still
   * tries to complete an order that was never charged; past it, the order fails
   * as `deadline_passed` (stock released). Keep it above SEAM_SAGA_TIMEOUT_SECONDS
   * and below inventory's SEAM_RESERVATION_TTL_SECONDS (900), so a reservation
   * outlives every attempt. At most an hour: payments' card tokens last a day.
   */
  SEAM_CHECKOUT_DEADLINE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /**
   * SEAM_TEST_CRASH_AFTER kills the process (SIGKILL) right after that saga step,
   * to prove recovery. Honoured only when NODE_ENV=test; ignored otherwise.
   */
  SEAM_TEST_CRASH_AFTER: z.enum(CRASH_POINTS).optional(),
};

export type OrdersConfig = PlatformConfig & z.output<z.ZodObject<typeof ordersConfig>>;
