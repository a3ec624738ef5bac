import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tallyControl, tallyModule } from '../../test/tally-module.js';
import { CONSOLE_CONTENT_POLICY } from '../http/console-page.js';
import { RECENT_ERRORS_CAPACITY } from '../http/recent-errors.js';
import {
  eventually,
  expectProblem,
  jsonRequest,
  startTestHostWithTokens,
  type TestHostWithTokens,
} from '../testing/index.js';
import { notesContract, notesModule } from '../testing/fixtures/index.js';
import type { ConsoleState } from './console.js';

const FAST_RETRIES = {
  SEAM_EVENT_POLL_MS: '20',
  SEAM_EVENT_RETRY_BASE_MS: '10',
  SEAM_EVENT_RETRY_MAX_MS: '40',
  SEAM_EVENT_MAX_ATTEMPTS: '2',
};

describe('the console routes of a host', () => {
  let t: TestHostWithTokens;
  let consoleDir: string;

  beforeAll(async () => {
    consoleDir = await mkdtemp(join(tmpdir(), 'seam-console-'));
    await mkdir(join(consoleDir, 'assets'));
    await writeFile(join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(consoleDir, 'assets', 'index-Ab12.js'), 'console.log(1)');
    await writeFile(join(consoleDir, 'assets', 'index-Cd34.css'), 'body{}');
    t = await startTestHostWithTokens({
      modules: [notesModule, tallyModule],
      env: FAST_RETRIES,
      consoleDir,
    });
  });
  afterAll(async () => {
    await t.close();
    await rm(consoleDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    tallyControl.healed = false;
  });

  const state = async (): Promise<ConsoleState> => {
    const res = await t.request('/api/console/state', jsonRequest('GET', undefined, t.adminToken));
    expect(res.status).toBe(200);
    return (await res.json()) as ConsoleState;
  };

  it('answers 401 without a token and 403 to a customer, as problems', async () => {
    await expectProblem(await t.request('/api/console/state'), 401, 'unauthorized');
    await expectProblem(
      await t.request('/api/console/state', jsonRequest('GET', undefined, t.customerToken)),
      403,
      'forbidden',
    );
    await expectProblem(
      await t.request(
        `/api/console/services/monolith/deliveries/${randomUUID()}/retry`,
        jsonRequest('POST', undefined, t.customerToken),
      ),
      403,
      'forbidden',
    );
  });

  it('shows its service, modules, health and the module graph', async () => {
    const body = await state();
    expect(body.answeredBy).toBe('monolith');
    expect(body.services).toEqual([
      {
        name: 'monolith',
        modules: ['notes', 'tally'],
        replicas: [
          {
            url: '',
            ready: true,
            health: expect.objectContaining({ status: 'ready' }) as unknown,
          },
        ],
      },
    ]);
    expect(body.graph.modules.map((m) => m.name)).toEqual(['notes', 'tally']);
    expect(body.graph.events).toEqual([{ from: 'notes', to: 'tally', event: 'notes.NoteCreated' }]);
  });

  it('lists recent problem answers with their type, newest first', async () => {
    await t.request('/api/notes/notes/not-a-uuid');
    await t.request('/no/such/route');
    const [newest, previous] = (await state()).processes[0]!.errors;
    expect(newest).toMatchObject({
      method: 'GET',
      path: '/no/such/route',
      route: 'unmatched',
      status: 404,
      title: 'Not found',
    });
    expect(newest!.type).toContain('route-not-found');
    expect(previous).toMatchObject({ path: '/api/notes/notes/not-a-uuid', status: 400 });
  });

  it('reports each route with its counts and latency buckets', async () => {
    for (let i = 0; i < 3; i++) await state();
    const body = await state();
    const list = body.processes[0]!.routes.find(
      (r) => r.method === 'GET' && r.route === '/api/console/state' && r.status === 200,
    );
    expect(list?.count).toBeGreaterThanOrEqual(3);
    expect(list!.buckets).toHaveLength(body.latencyBuckets.length);
    expect(list!.buckets.at(-1)).toBeLessThanOrEqual(list!.count);
    expect(list!.sum).toBeGreaterThan(0);
  });

  it('reports the operations this process called, by transport, with rate, errors and latency', async () => {
    const notes = t.host.clients.of(notesContract);
    const { id } = await notes.createNote({ text: 'counted' });
    await notes.getNote({ id });
    await notes.getNote({ id });
    const body = await state();
    const get = body.processes[0]!.operations.find(
      (o) => o.module === 'notes' && o.operation === 'getNote',
    );
    expect(get).toMatchObject({ transport: 'in-process', errors: 0 });
    expect(get!.count).toBeGreaterThanOrEqual(2);
    expect(get!.ratePerSecond).toBeGreaterThan(0);
    expect(get!.p50Seconds).toBeGreaterThan(0);
  });

  it('shows a failed delivery per subscriber and retries it through the console route', async () => {
    await t.host.clients.of(notesContract).createNote({ text: 'poison' });
    const failed = await eventually(async () => {
      const found = (await state()).outbox.deliveries.find((d) => d.status === 'failed');
      if (!found) throw new Error('not failed yet');
      return found;
    });
    expect(failed).toMatchObject({ service: 'monolith', subscriber: 'tally', attempts: 2 });
    expect((await state()).outbox.subscribers).toContainEqual(
      expect.objectContaining({ service: 'monolith', subscriber: 'tally', failed: 1 }),
    );

    tallyControl.healed = true;
    const retried = await t.request(
      `/api/console/services/monolith/deliveries/${failed.id}/retry`,
      jsonRequest('POST', undefined, t.adminToken),
    );
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ id: failed.id, service: 'monolith' });
    await eventually(async () => {
      const ids = (await state()).outbox.deliveries.map((d) => d.id);
      expect(ids).not.toContain(failed.id);
    });
  });

  it('refuses a retry for another service and a malformed delivery id', async () => {
    await expectProblem(
      await t.request(
        `/api/console/services/orders/deliveries/${randomUUID()}/retry`,
        jsonRequest('POST', undefined, t.adminToken),
      ),
      404,
      'service-not-here',
    );
    await expectProblem(
      await t.request(
        '/api/console/services/monolith/deliveries/nope/retry',
        jsonRequest('POST', undefined, t.adminToken),
      ),
      400,
      'validation-failed',
    );
  });

  it('documents both routes with an operationId, the bearer security and their problems', async () => {
    const doc = (await (await t.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const get = doc.paths['/api/console/state']!.get!;
    const post = doc.paths['/api/console/services/{service}/deliveries/{id}/retry']!.post!;
    expect(get.operationId).toBe('getConsoleState');
    expect(post.operationId).toBe('retryConsoleDelivery');
    for (const operation of [get, post]) {
      expect(operation.security).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(operation.responses as object)).toEqual(
        expect.arrayContaining(['200', '401', '403']),
      );
    }
  });

  it('serves the page with its content policy and no caching, and hashed assets for a year', async () => {
    const page = await t.request('/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CONTENT_POLICY);
    expect(CONSOLE_CONTENT_POLICY).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<title>console</title>');

    const script = await t.request('/console/assets/index-Ab12.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toBe('console.log(1)');
    const style = await t.request('/console/assets/index-Cd34.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for a missing asset, an unknown type or a path outside the assets', async () => {
    await expectProblem(await t.request('/console/assets/index-Zz99.js'), 404, 'asset-not-found');
    await expectProblem(await t.request('/console/assets/index-Ab12.exe'), 404, 'asset-not-found');
    await expectProblem(await t.request('/console/assets/..%2Findex.html'), 404, 'asset-not-found');
  });
});

describe('a host without a console build', () => {
  let t: TestHostWithTokens;

  beforeAll(async () => {
    t = await startTestHostWithTokens({ modules: [notesModule] });
  });
  afterAll(() => t.close());

  it('answers /console with 503 and the command that builds it', async () => {
    const body = await expectProblem(await t.request('/console'), 503, 'console-not-built');
    expect(body.detail).toContain('npm run build:console');
  });

  it('keeps at most RECENT_ERRORS_CAPACITY errors', async () => {
    for (let i = 0; i < RECENT_ERRORS_CAPACITY + 5; i++) await t.request(`/missing/${i}`);
    const res = await t.request('/api/console/state', jsonRequest('GET', undefined, t.adminToken));
    const [process] = ((await res.json()) as ConsoleState).processes;
    expect(process!.errors).toHaveLength(RECENT_ERRORS_CAPACITY);
    expect(process!.errors[0]!.path).toBe(`/missing/${RECENT_ERRORS_CAPACITY + 4}`);
    expect(process!.errorsTotal).toBeGreaterThanOrEqual(RECENT_ERRORS_CAPACITY + 5);
  });
});
