// Demo stock: with SEAM_DEMO_DATA on and an empty stock table, every catalog
// product gets DEMO_STOCK_AVAILABLE units so a newcomer can check out at once.
// The catalog may run in another process that is not up yet, so the seed runs
// in the background with bounded retries and never fails start-up.
import type { ProductPage } from '@seam/catalog-contract';
import { isAppError, type Database, type Logger } from '@seam/platform';
import { stock } from './schema.js';

/** DEMO_STOCK_AVAILABLE is the units each demo product starts with. */
export const DEMO_STOCK_AVAILABLE = 25;

/** PAGE_SIZE is the largest page the catalog's listProducts gives. */
const PAGE_SIZE = 100;

/** ListProducts is the catalog's listProducts operation, as far as seeding needs it. */
export type ListProducts = (query: { limit: number; cursor?: string }) => Promise<ProductPage>;

export interface DemoStockOptions {
  /** attempts bounds the tries of each catalog call; default 10. */
  attempts?: number;
  /** baseDelayMs is the first backoff; it doubles per try up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** signal stops the seed between tries (module stop). */
  signal?: AbortSignal;
}

export type DemoStockResult =
  { outcome: 'seeded'; products: number } | { outcome: 'skipped' } | { outcome: 'aborted' };

/**
 * seedDemoStock pages through the catalog and inserts stock for each product,
 * skipping products that already have a row (ON CONFLICT DO NOTHING), so
 * replicas seeding together and restarts insert each row once. It does
 * nothing when the stock table has rows. A catalog call that keeps failing
 * with a 5xx (or a network error) throws after `attempts` tries; a 4xx throws
 * at once.
 */
export async function seedDemoStock(
  db: Database,
  listProducts: ListProducts,
  options: DemoStockOptions = {},
): Promise<DemoStockResult> {
  const existing = await db.select({ productId: stock.productId }).from(stock).limit(1);
  if (existing.length > 0) return { outcome: 'skipped' };
  let products = 0;
  let cursor: string | undefined;
  do {
    const page = await withRetries(
      () => listProducts(cursor ? { limit: PAGE_SIZE, cursor } : { limit: PAGE_SIZE }),
      options,
    );
    if (page === ABORTED) return { outcome: 'aborted' };
    if (page.items.length > 0) {
      const inserted = await db
        .insert(stock)
        .values(
          page.items.map((product) => ({
            productId: product.id,
            available: DEMO_STOCK_AVAILABLE,
            reserved: 0,
          })),
        )
        .onConflictDoNothing({ target: stock.productId })
        .returning({ productId: stock.productId });
      products += inserted.length;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { outcome: 'seeded', products };
}

/**
 * startDemoStockSeed runs seedDemoStock in the background and logs how it
 * ended; `stop` aborts it and waits. It never throws.
 */
export function startDemoStockSeed(
  db: Database,
  listProducts: ListProducts,
  log: Logger,
  options: Omit<DemoStockOptions, 'signal'> = {},
): { done: Promise<void>; stop(): Promise<void> } {
  const controller = new AbortController();
  const done = seedDemoStock(db, listProducts, { ...options, signal: controller.signal }).then(
    (result) => {
      if (result.outcome === 'seeded') log.info({ products: result.products }, 'seeded demo stock');
      else if (result.outcome === 'skipped') log.debug('stock exists; demo stock not seeded');
      else log.info('demo stock seeding stopped');
    },
    (err: unknown) => log.warn({ err }, 'could not seed demo stock from the catalog; gave up'),
  );
  return {
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

const ABORTED = Symbol('aborted');

async function withRetries<T>(
  call: () => Promise<T>,
  { attempts = 10, baseDelayMs = 500, maxDelayMs = 30_000, signal }: DemoStockOptions,
): Promise<T | typeof ABORTED> {
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) return ABORTED;
    try {
      return await call();
    } catch (error) {
      const permanent = isAppError(error) && error.status < 500;
      if (permanent || attempt >= attempts) throw error;
      const backoff = Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs);
      // Jitter spreads replicas that started together.
      await sleep(backoff / 2 + (Math.random() * backoff) / 2, signal);
    }
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
