// Shoppers for the checkout benchmarks: prepared off the clock (registered,
// logged in, carts filled), then timed checking out with an Idempotency-Key.
// The calls are the shopper driver's (@seam/shopper), over fetch against any base
// URL — the monolith's server or a topology's gateway, which serve the same API.
import { UnexpectedStatusError, type Shop, type Shopper as Account } from '@seam/shopper';
import { pool, summarize, type LatencySummary } from './report.js';

/** BENCH_ADMIN is the admin the benchmarks bootstrap (SEAM_ADMIN_*) to stock products. */
export const BENCH_ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password-1' };

/**
 * shopEnv is what every process of a benchmarked shop gets: demo catalog, bench
 * admin, quiet logs, and sign-up/sign-in rate limits raised above what preparing
 * hundreds of shoppers from one address needs (the defaults would refuse it).
 */
export const SHOP_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  SEAM_DEMO_DATA: 'true',
  SEAM_ADMIN_EMAIL: BENCH_ADMIN.email,
  SEAM_ADMIN_PASSWORD: BENCH_ADMIN.password,
  SEAM_LOGIN_RATE_PER_MINUTE: '1000000',
  SEAM_REGISTER_RATE_PER_MINUTE: '1000000',
  SEAM_LOGIN_ACCOUNT_RATE_PER_MINUTE: '1000000',
};

export interface Shopper extends Account {
  /** products go into the shopper's cart, one of each, before every checkout. */
  products: readonly { id: string }[];
  /** filled is true while the cart holds the products and no checkout has taken them. */
  filled: boolean;
}

const PREPARE_CONCURRENCY = 4;

export interface CheckoutResult {
  ms: number;
  orderId: string;
  status: string;
  updatedAt: string;
}

export interface CheckoutRun {
  results: CheckoutResult[];
  summary: LatencySummary;
  confirmed: number;
  wallMs: number;
}

/**
 * prepareShoppers stocks two EUR demo products plentifully (as the bench admin)
 * and returns `count` shoppers, each registered, logged in and with both
 * products in the cart — everything a checkout needs, before any clock starts.
 * At most PREPARE_CONCURRENCY shoppers register at a time: registering hashes a
 * password (CPU-bound), and more in flight only queue behind the cores and
 * run into the gateway's deadline.
 */
export async function prepareShoppers(
  api: Shop,
  count: number,
  concurrency: number,
): Promise<Shopper[]> {
  const products = await euroProducts(api, 2);
  const admin = await api.logIn(BENCH_ADMIN.email, BENCH_ADMIN.password);
  for (const product of products) await api.setStock(admin, product.id, 1_000_000);
  return pool(count, Math.min(concurrency, PREPARE_CONCURRENCY), async () => {
    const shopper = { ...(await api.signUp()), products, filled: false };
    await fillCart(api, shopper);
    return shopper;
  });
}

/**
 * runCheckouts checks out `warmup` orders untimed, then times `orders` with at
 * most `concurrency` in flight. With fewer shoppers than orders, it goes in
 * batches of one order per shopper and refills the emptied carts before each
 * batch, off the clock — so a run needs only as many shoppers as it has in flight.
 */
export async function runCheckouts(
  api: Shop,
  shoppers: readonly Shopper[],
  options: { orders: number; warmup: number; concurrency: number },
): Promise<CheckoutRun & { measured: Shopper[] }> {
  const batch = shoppers.length;
  if (batch === 0) throw new Error('runCheckouts needs at least one shopper');
  const refill = (count: number) =>
    pool(count, options.concurrency, async (i) => {
      if (!shoppers[i]!.filled) await fillCart(api, shoppers[i]!);
    });
  for (let done = 0; done < options.warmup; done += batch) {
    const size = Math.min(batch, options.warmup - done);
    await refill(size);
    await pool(size, options.concurrency, (i) => checkout(api, shoppers[i]!));
  }
  const results: CheckoutResult[] = [];
  const measured: Shopper[] = [];
  let wallMs = 0;
  for (let done = 0; done < options.orders; done += batch) {
    const size = Math.min(batch, options.orders - done);
    await refill(size);
    const clock = performance.now();
    results.push(...(await pool(size, options.concurrency, (i) => checkout(api, shoppers[i]!))));
    wallMs += performance.now() - clock;
    measured.push(...shoppers.slice(0, size));
  }
  const confirmed = results.filter((r) => r.status === 'confirmed').length;
  return {
    results,
    measured,
    summary: summarize(
      results.map((r) => r.ms),
      wallMs,
    ),
    confirmed,
    wallMs,
  };
}

/** checkout places one order for `shopper` (the full saga) and times it. */
export async function checkout(api: Shop, shopper: Shopper): Promise<CheckoutResult> {
  shopper.filled = false;
  const started = performance.now();
  const order = await api.placeOrder(shopper);
  return {
    ms: performance.now() - started,
    orderId: order.id,
    status: order.status,
    updatedAt: order.updatedAt,
  };
}

/** waitForNotification polls the shopper's notifications until the order's confirmation arrives. */
export async function waitForNotification(api: Shop, shopper: Shopper, orderId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const items = await api.notificationsOf(shopper);
    const note = items.find((n) => n.kind === 'order-confirmed' && n.orderId === orderId);
    if (note) return note;
    if (Date.now() > deadline) throw new Error(`No order-confirmed notification for ${orderId}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function euroProducts(api: Shop, count: number): Promise<{ id: string }[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const picked = await api.products(count, 'EUR');
    if (picked.length === count) return picked;
    if (Date.now() > deadline) throw new Error('The demo catalog has too few EUR products');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * measureLag waits for each measured order's confirmation notification and
 * returns, ascending, the ms from the order's commit (its updatedAt) to the
 * notification the handler recorded (its createdAt).
 */
export async function measureLag(
  api: Shop,
  run: CheckoutRun & { measured: Shopper[] },
  concurrency: number,
): Promise<number[]> {
  const lags = await pool(run.results.length, concurrency, async (i) => {
    const result = run.results[i]!;
    const note = await waitForNotification(api, run.measured[i]!, result.orderId);
    return Date.parse(note.createdAt) - Date.parse(result.updatedAt);
  });
  return lags.sort((a, b) => a - b);
}

/**
 * fillCart puts one of each of the shopper's products in the cart. After a
 * checkout it first waits for the cart to be emptied (cart clears it when the
 * order's confirmation event arrives), so lines never accumulate.
 */
async function fillCart(api: Shop, shopper: Shopper): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const cart = await unlessOverloaded(deadline, () => api.cartOf(shopper));
    if (cart?.items.length === 0) break;
    if (Date.now() > deadline) throw new Error('The cart was not emptied after a checkout');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const product of shopper.products) {
    for (;;) {
      const added = await unlessOverloaded(deadline, () => api.addToCart(shopper, product, 1));
      if (added !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  shopper.filled = true;
}

/**
 * unlessOverloaded runs `call`, but answers undefined for a 503 before the
 * deadline: a gateway that has ejected an overloaded replica says so for a
 * moment. Filling carts is off the clock, so it waits that out.
 */
async function unlessOverloaded<T>(deadline: number, call: () => Promise<T>) {
  try {
    return await call();
  } catch (error) {
    const overloaded = error instanceof UnexpectedStatusError && error.status === 503;
    if (!overloaded || Date.now() > deadline) throw error;
    return undefined;
  }
}
