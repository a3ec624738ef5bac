// The inventory module's environment variables, validated with the platform's
// at start-up (see docs/modules/inventory.md).
import { z, type PlatformConfig } from '@seam/platform';

/** inventoryConfig is the module's config shape. */
export const inventoryConfig = {
  /**
   * SEAM_RESERVATION_TTL_SECONDS is how long a reservation holds stock before
   * the sweeper releases it unless it was committed: 1 second to 7 days.
   */
  SEAM_RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).max(604_800).default(900),
};

export type InventoryConfig = PlatformConfig & z.output<z.ZodObject<typeof inventoryConfig>>;

/** SWEEP_INTERVAL_MAX_MS caps how long an expired reservation may wait for the sweeper. */
export const SWEEP_INTERVAL_MAX_MS = 30_000;

/** sweepIntervalMs is half the TTL, at most 30 seconds. */
export function sweepIntervalMs(ttlSeconds: number): number {
  return Math.min((ttlSeconds * 1000) / 2, SWEEP_INTERVAL_MAX_MS);
}
