// The operator console in Chromium, on the monolith and on the gateway of
// topology/split.json: an admin signs in and sees every service with its
// modules, a delivery that failed for good shows in the outbox, the Retry button
// puts it back and it is delivered; a customer gets 403, in the page and from the
// console's route. With SEAM_SCREENSHOTS=1 its screenshots replace docs/images/console-*.png
// (docs/console.md); otherwise they go to a temporary folder, so a run leaves the tree clean.
//
// How a delivery fails without a back door: the subscriber (notifications) is
// replaced, for a while, by a process that answers every event with a 500
// problem — a broken deployment of it. With SEAM_EVENT_MAX_ATTEMPTS=1 the
// first answer marks the delivery failed. On the monolith the broken
// notifications runs beside a server hosting the other modules (SEAM_REMOTES),
// which then restarts as the whole monolith on the same database; on the split
// the notifications service is killed, the broken one takes its port, then the
// real one is started again.
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureConsoleBuilt } from '@seam/console';
import { startProcess, type RunningProcess } from '@seam/platform/processes';
import { createTestDatabase, eventually, type TestDatabase } from '@seam/platform/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { ADMIN, ADMIN_ENV } from './support/journey.js';
import { REPO_ROOT } from './support/server.js';
import { startSplit, type SplitRun } from './support/split.js';

const MODULES = ['users', 'catalog', 'inventory', 'cart', 'payments', 'orders', 'notifications'];
const IMAGES =
  process.env.SEAM_SCREENSHOTS === '1'
    ? join(REPO_ROOT, 'docs/images')
    : mkdtempSync(join(tmpdir(), 'seam-console-'));
const FAIL_FAST = { SEAM_EVENT_MAX_ATTEMPTS: '1', LOG_LEVEL: 'warn' };

interface Delivery {
  id: string;
  subscriber: string;
  status: string;
  type: string;
}

let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('the console on the monolith', () => {
  let database: TestDatabase;
  let broken: Server;
  let server: RunningProcess | undefined;
  let failed: Delivery;

  beforeAll(async () => {
    database = await createTestDatabase();
    broken = await startBrokenSubscriber();
    // The monolith without notifications, which runs (broken) elsewhere.
    const partial = await startProcess({
      name: 'monolith without notifications',
      env: {
        ...database.env,
        ...ADMIN_ENV,
        ...FAIL_FAST,
        SEAM_MODULES: MODULES.filter((m) => m !== 'notifications').join(','),
        SEAM_REMOTES: `notifications=${urlOf(broken)}`,
      },
    });
    try {
      const shopper = await signUp(partial.url, 'ada');
      const token = await signIn(partial.url, ADMIN);
      failed = await eventually(async () => {
        const items = await deliveries(partial.url, token, 'failed');
        const mine = items.find((d) => d.type === 'users.UserRegistered');
        expect(mine, `no failed delivery yet for ${shopper}`).toBeDefined();
        return mine!;
      }, 20_000);
    } finally {
      expect((await partial.stop()).code).toBe(0);
    }
    // The whole monolith, on the same database: notifications is in-process now.
    server = await startProcess({
      name: 'monolith',
      env: { ...database.env, ...ADMIN_ENV, ...FAIL_FAST },
    });
  });

  afterAll(async () => {
    if (server) expect((await server.stop()).code).toBe(0);
    if (broken) await closeServer(broken);
    await database?.dispose();
  });

  it('shows the monolith and its modules, and retries the failed delivery until it is delivered', async () => {
    const anonymous = await fetch(`${server!.url}/api/console/state`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json');
    const page = await openConsole(server!.url);
    try {
      await signInOnPage(page, ADMIN);
      await expectServices(page, { monolith: MODULES });
      await expect
        .poll(() => page.locator('#graph-view svg .node').count(), { timeout: 20_000 })
        .toBe(MODULES.length);
      expect(await page.locator('#graph-view line.edge.events').count()).toBeGreaterThan(0);

      const row = page.locator(`#deliveries tr[data-delivery-id="${failed.id}"]`);
      await row.waitFor();
      expect(await row.getAttribute('data-status')).toBe('failed');
      await page.screenshot({ path: join(IMAGES, 'console-monolith.png'), fullPage: true });

      await row.locator('button.retry').click();
      await row.waitFor({ state: 'detached', timeout: 20_000 });
      const token = await signIn(server!.url, ADMIN);
      const delivered = await deliveries(server!.url, token, 'delivered');
      expect(delivered.map((d) => d.id)).toContain(failed.id);
      // The anonymous request's 401 is among the recent errors.
      expect(await page.locator('#error-list tr[data-status="401"]').count()).toBeGreaterThan(0);
      expect(await page.locator('#route-list tr[data-route="/api/console/state"]').count()).toBe(1);
    } finally {
      await closePage(page);
    }
  });

  it('answers a customer 403, in the page and from the route', async () => {
    await expectForbidden(server!.url, 'monolith');
  });
});

describe('the console on the gateway of topology/split.json', () => {
  let split: SplitRun;
  let failed: Delivery;

  beforeAll(async () => {
    split = await startSplit(FAIL_FAST);
    const { run } = split;
    await run.kill('notifications');
    const broken = await Promise.all(
      run.topology.services.notifications!.replicas.map((url) =>
        startBrokenSubscriber(Number(new URL(url).port)),
      ),
    );
    try {
      await signUp(run.url, 'bob');
      const token = await signIn(run.url, ADMIN);
      failed = await eventually(async () => {
        const state = await consoleState(run.url, token);
        const mine = state.outbox.deliveries.find(
          (d) => d.type === 'users.UserRegistered' && d.status === 'failed',
        );
        expect(mine).toBeDefined();
        return mine!;
      }, 20_000);
    } finally {
      await Promise.all(broken.map((server) => closeServer(server)));
    }
    await run.restart('notifications');
  });

  afterAll(async () => {
    await split?.stop();
  });

  it('shows every service with its modules, and retries the failed delivery until it is delivered', async () => {
    const page = await openConsole(split.run.url);
    try {
      await signInOnPage(page, ADMIN);
      await expectServices(page, Object.fromEntries(MODULES.map((m) => [m, [m]])));
      await expect
        .poll(() => page.locator('#services td[data-health="ready"]').count(), { timeout: 20_000 })
        .toBe(MODULES.length);
      await expect
        .poll(() => page.locator('#graph-view svg .node').count(), { timeout: 20_000 })
        .toBe(MODULES.length);

      const row = page.locator(`#deliveries tr[data-delivery-id="${failed.id}"]`);
      await row.waitFor();
      await page.screenshot({ path: join(IMAGES, 'console-split.png'), fullPage: true });
      await row.locator('button.retry').click();
      await row.waitFor({ state: 'detached', timeout: 20_000 });
      const usersService = split.run.replicas('users')[0]!.url;
      const token = await signIn(split.run.url, ADMIN);
      const delivered = await deliveries(usersService, token, 'delivered');
      expect(delivered.map((d) => d.id)).toContain(failed.id);
    } finally {
      await closePage(page);
    }
  });

  it('answers a customer 403, in the page and from the route', async () => {
    await expectForbidden(split.run.url, 'split');
  });
});

/** startBrokenSubscriber answers every request with a 500 problem, as a broken deployment would. */
async function startBrokenSubscriber(port = 0): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(500, { 'content-type': 'application/problem+json' });
    response.end(
      JSON.stringify({
        type: 'urn:seam:problem:internal',
        title: 'Internal Server Error',
        status: 500,
        detail: 'notifications is broken (a bad deployment)',
        code: 'internal',
      }),
    );
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

function urlOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function signUp(baseUrl: string, name: string): Promise<string> {
  const email = `${name}-${Date.now()}@example.com`;
  const response = await fetch(`${baseUrl}/api/users/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'a long enough password', name }),
  });
  expect(response.status).toBe(201);
  return email;
}

async function signIn(baseUrl: string, user: { email: string; password: string }) {
  const response = await fetch(`${baseUrl}/api/users/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function deliveries(baseUrl: string, token: string, status: string): Promise<Delivery[]> {
  const response = await fetch(`${baseUrl}/api/events/deliveries?status=${status}&limit=200`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Delivery[] }).items;
}

async function consoleState(baseUrl: string, token: string) {
  const response = await fetch(`${baseUrl}/api/console/state`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { outbox: { deliveries: Delivery[] } };
}

/** pageProblems are the script errors and content-policy refusals each open page saw. */
const pageProblems = new WeakMap<Page, string[]>();

async function openConsole(baseUrl: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  pageProblems.set(page, problems);
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => {
    // A 401/403 answer is logged by Chromium as a failed resource; a CSP refusal is not expected.
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      problems.push(message.text());
    }
  });
  const response = await page.goto(`${baseUrl}/console`);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
  return page;
}

/** closePage closes `page` after checking it ran without a script error or a CSP refusal. */
async function closePage(page: Page): Promise<void> {
  const problems = pageProblems.get(page) ?? [];
  await page.close();
  expect(problems).toEqual([]);
}

async function signInOnPage(page: Page, user: { email: string; password: string }) {
  await page.locator('#sign-in').waitFor();
  await page.fill('#sign-in input[name=email]', user.email);
  await page.fill('#sign-in input[name=password]', user.password);
  await page.click('#sign-in button[type=submit]');
}

/** expectServices waits until the topology shows each service with exactly its modules. */
async function expectServices(page: Page, services: Record<string, string[]>) {
  await page.locator('#console').waitFor();
  await expect
    .poll(() => page.locator('#services [data-service]').count(), { timeout: 20_000 })
    .toBe(Object.keys(services).length);
  for (const [service, modules] of Object.entries(services)) {
    const card = page.locator(`#services [data-service="${service}"]`);
    expect(await card.locator('.chip').allTextContents()).toEqual(modules);
  }
}

async function expectForbidden(baseUrl: string, name: string) {
  const email = await signUp(baseUrl, `customer-${name}`);
  const customer = { email, password: 'a long enough password' };
  const token = await signIn(baseUrl, customer);
  const response = await fetch(`${baseUrl}/api/console/state`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(403);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const retry = await fetch(
    `${baseUrl}/api/console/services/users/deliveries/${crypto.randomUUID()}/retry`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` } },
  );
  expect(retry.status).toBe(403);

  const page = await openConsole(baseUrl);
  try {
    await signInOnPage(page, customer);
    // The page's sign-in costs a scrypt and two hops through the gateway: on a busy
    // machine more than expect.poll's default second.
    await expect
      .poll(() => page.locator('#message').textContent(), { timeout: 20_000 })
      .toContain('Forbidden (403)');
    expect(await page.locator('#console').isHidden()).toBe(true);
    if (name === 'monolith') {
      await page.screenshot({ path: join(IMAGES, 'console-forbidden.png') });
    }
  } finally {
    await closePage(page);
  }
}
