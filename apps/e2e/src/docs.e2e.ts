// The docs UI in a real browser: Chromium opens /docs — on the monolith server and
// on the gateway of a split deployment (topology/split.json, seven services) — and
// Scalar renders the merged OpenAPI document with every module's operations listed.
// The two documents are the same but for the process's own events admin routes.
// Screenshots land in apps/e2e/screenshots/ for a human to look at.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadTopology, type OpenApiDocument } from '@seam/platform';
import { startTopology } from '@seam/platform/processes';
import { createTopologyDatabases, documentedOperations } from '@seam/platform/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/browser.js';
import { REPO_ROOT, startServer } from './support/server.js';

const SCREENSHOTS = join(REPO_ROOT, 'apps/e2e/screenshots');
const MODULES = ['users', 'catalog', 'inventory', 'cart', 'payments', 'orders', 'notifications'];

interface Operation {
  method: string;
  path: string;
  summary: string;
  tags: string[];
}

interface Target {
  url: string;
  stop(): Promise<void>;
}

/** Where /docs is served: the monolith as `npm start` runs it, or a split's gateway. */
const TARGETS: [string, string, () => Promise<Target>][] = [
  [
    'the monolith server',
    'docs',
    async () => {
      const server = await startServer();
      return {
        url: server.url,
        stop: async () => expect((await server.stop()).code).toBe(0),
      };
    },
  ],
  [
    'the gateway of topology/split.json',
    'docs-gateway',
    async () => {
      const topology = await loadTopology(join(REPO_ROOT, 'topology/split.json'));
      const databases = await createTopologyDatabases(topology);
      const run = await startTopology({ topology, serviceEnv: databases.serviceEnv });
      return {
        url: run.url,
        stop: async () => {
          await run.stop();
          await databases.dispose();
        },
      };
    },
  ],
];

let browser: Browser;
/** documents are the merged OpenAPI documents served, by target (`docs`, `docs-gateway`). */
const documents: Record<string, OpenApiDocument> = {};

beforeAll(async () => {
  browser = await launchChromium();
  await mkdir(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

describe.each(TARGETS)('GET /docs on %s', (_, shot, start) => {
  let target: Target;
  let operations: Operation[];

  beforeAll(async () => {
    target = await start();
    const res = await fetch(`${target.url}/openapi.json`);
    const document = (await res.json()) as OpenApiDocument;
    documents[shot] = document;
    operations = MODULES.flatMap((module) =>
      documentedOperations(document, module).map(({ method, path, op }) => ({
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? '',
        tags: op.tags ?? [],
      })),
    );
  });

  afterAll(async () => {
    await target?.stop();
  });

  it('serves the page and the Scalar bundle from the app itself, no CDN', async () => {
    const page = await fetch(`${target.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html).not.toMatch(/src="https?:/);

    const script = await fetch(`${target.url}/docs/scalar.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });

  it('documents the routes of every module in the merged OpenAPI document', () => {
    const keys = operations.map((op) => `${op.method} ${op.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'GET /api/catalog/products',
        'GET /api/catalog/products/{id}',
        'POST /api/users/register',
        'GET /api/inventory/stock/{productId}',
        'GET /api/cart',
        'GET /api/payments',
        'POST /api/orders',
        'GET /api/notifications',
      ]),
    );
    for (const module of MODULES) {
      expect(operations.filter((op) => op.tags.includes(module)).length, module).toBeGreaterThan(0);
    }
    for (const op of operations) {
      expect(op.summary, `${op.method} ${op.path} has a summary`).not.toBe('');
      expect(op.tags.length, `${op.method} ${op.path} has a tag`).toBeGreaterThan(0);
    }
  });

  it('renders every module and operation in Scalar, in Chromium', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const pageErrors: string[] = [];
    const offOrigin: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      const url = request.url();
      if (/^https?:/.test(url) && !url.startsWith(`${target.url}/`)) offOrigin.push(url);
    });
    try {
      const res = await page.goto(`${target.url}/docs`, { waitUntil: 'load' });
      expect(res?.status()).toBe(200);
      const sidebar = page.locator('.t-doc__sidebar');
      await sidebar.waitFor({ state: 'visible', timeout: 30_000 });
      await expandAllGroups(page);
      const title = page.getByRole('heading', { name: 'Seam API', exact: true }).first();
      await title.waitFor();

      for (const tag of MODULES) {
        await expect
          .poll(() => sidebar.getByText(tag, { exact: true }).count(), { timeout: 10_000 })
          .toBeGreaterThan(0);
      }
      for (const op of operations) {
        const entry = sidebar.getByText(op.summary, { exact: true }).first();
        await entry.waitFor({ state: 'visible', timeout: 10_000 });
      }
      // Opening a group can scroll the content; the overview shot starts at the title.
      await page.evaluate('window.scrollTo(0, 0)');
      await expect
        .poll(() => title.evaluate((el) => el.getBoundingClientRect().top), { timeout: 10_000 })
        .toBeLessThan(400);
      await page.screenshot({ path: join(SCREENSHOTS, `${shot}.png`) });

      // Follow the sidebar to the catalog listing and check its path is rendered.
      const list = operations.find(
        (op) => op.method === 'GET' && op.path === '/api/catalog/products',
      )!;
      await sidebar.getByText(list.summary, { exact: true }).first().click();
      const heading = page.getByRole('heading', { name: list.summary, exact: true }).first();
      await heading.waitFor({ state: 'visible' });
      await expect
        .poll(() => page.getByText('/api/catalog/products', { exact: true }).count(), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
      await page.screenshot({ path: join(SCREENSHOTS, `${shot}-catalog.png`) });

      expect(pageErrors).toEqual([]);
      expect(offOrigin).toEqual([]);
    } catch (error) {
      await page.screenshot({ path: join(SCREENSHOTS, `${shot}-failure.png`) }).catch(() => {});
      throw error;
    } finally {
      await page.close();
    }
  });
});

/**
 * expandAllGroups opens every collapsed tag group in Scalar's sidebar. Scalar
 * marks the toggles with aria-expanded; older releases also label them "Open Group".
 */
async function expandAllGroups(page: Page): Promise<void> {
  const sidebar = page.locator('.t-doc__sidebar');
  const closed = sidebar
    .locator('button[aria-expanded="false"]')
    .or(sidebar.getByRole('button', { name: /^Open Group/ }));
  for (let i = 0; i < 50 && (await closed.count()) > 0; i++) {
    await closed.first().click();
  }
  expect(await closed.count()).toBe(0);
}

describe('the merged OpenAPI document', () => {
  it("is the same through the split's gateway as on the monolith, but for /api/events", () => {
    const monolith = documents.docs;
    const gateway = documents['docs-gateway'];
    expect(monolith, 'the monolith document was fetched above').toBeDefined();
    expect(gateway, "the gateway's document was fetched above").toBeDefined();
    // /api/events are each process's own admin routes, which the gateway does not route.
    const isEvents = (path: string) => path.startsWith('/api/events/');
    const paths = Object.fromEntries(
      Object.entries(monolith!.paths ?? {}).filter(([path]) => !isEvents(path)),
    );
    expect(Object.keys(paths).length).toBeGreaterThan(10);
    expect(gateway!.paths).toEqual(paths);
    expect(gateway!.tags).toEqual(monolith!.tags!.filter((t) => t.name !== 'events'));
    expect(gateway!.servers).toEqual(monolith!.servers);
    expect(gateway!.info.license).toEqual(monolith!.info.license);
    expect(gateway!.info.title).toBe(monolith!.info.title);
    expect(gateway!.components?.securitySchemes).toEqual(monolith!.components?.securitySchemes);
    const monolithSchemas = monolith!.components?.schemas ?? {};
    const gatewaySchemas = gateway!.components?.schemas ?? {};
    for (const [name, schema] of Object.entries(gatewaySchemas)) {
      expect(schema, name).toEqual(monolithSchemas[name]);
    }
    const onlyOnMonolith = Object.keys(monolithSchemas).filter((name) => !(name in gatewaySchemas));
    expect(
      onlyOnMonolith.every((name) => name.startsWith('EventDelivery')),
      onlyOnMonolith.join(),
    ).toBe(true);
  });
});
