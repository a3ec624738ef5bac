// Money: integer minor units and an ISO 4217 currency, shared by every contract
// that prices something. Never a float.
import { z } from '@hono/zod-openapi';

/** MoneySchema is an amount in integer minor units (cents for EUR/USD) and a currency code. */
export const MoneySchema = z
  .object({
    amount: z.number().int().min(0).openapi({
      description: 'Integer minor units (24900 = 249.00 EUR); a safe integer',
      maximum: Number.MAX_SAFE_INTEGER,
      example: 24900,
    }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code of 3 uppercase letters')
      .openapi({ description: 'ISO 4217 currency code', example: 'EUR' }),
  })
  .openapi('Money', { example: { amount: 24900, currency: 'EUR' } });

export type Money = z.output<typeof MoneySchema>;
