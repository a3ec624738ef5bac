// GET /metrics of real hosts: a monolith on its database with an event delivery
// that keeps failing and a remote service that refuses connections, and a split
// pair of services calling each other over HTTP.
import { z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tallyControl, tallyModule } from '../test/tally-module.js';
import { defineContract, defineOperation } from './contract.js';
import { AppError } from './errors.js';
import { freePort } from './processes/process.js';
import { notesContract, notesModule } from './testing/fixtures/index.js';
import {
  eventually,
  parseExposition,
  startTestHost,
  type Sample,
  type TestHost,
  FAST_EVENT_RETRIES,
} from './testing/index.js';

const SERVICE_TOKEN = 'metrics-service-token-0123456789abcdef0123';
const FAST_RETRIES = { SEAM_SERVICE_TOKEN: SERVICE_TOKEN, ...FAST_EVENT_RETRIES };

/** ghost is a module no process serves: its only replica refuses connections. */
const ghostContract = defineContract({
  name: 'ghost',
  description: 'A module nobody runs (metrics test)',
  routes: {},
  operations: {
    ping: defineOperation({
      summary: 'Ping',
      input: z.object({}),
      output: z.object({}),
      idempotent: true,
    }),
  },
});

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text()).samples;
}

function value(
  samples: Sample[],
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches several series`);
  return found[0]?.value;
}

describe('a monolith', () => {
  let t: TestHost;
  let dead: string;

  beforeAll(async () => {
    dead = `http://127.0.0.1:${await freePort()}`;
    t = await startTestHost({
      modules: [notesModule, tallyModule],
      listen: true,
      env: { ...FAST_RETRIES, SEAM_REMOTES: `ghost=${dead}` },
    });
  });
  afterAll(() => t.close());

  it('reports an outbox delivery that failed for good, and the attempts that led there', async () => {
    tallyControl.healed = false;
    await t.host.clients.of(notesContract).createNote({ text: 'poison' });
    const samples = await eventually(async () => {
      const found = await scrape(t.url!);
      const failed = value(found, 'seam_outbox_failed', { module: 'notes', subscriber: 'tally' });
      if (failed !== 1) throw new Error(`failed deliveries: ${failed}`);
      return found;
    });
    const outcome = (o: string) =>
      value(samples, 'seam_event_deliveries_total', {
        subscriber: 'tally',
        event: 'notes.NoteCreated',
        outcome: o,
      });
    expect(outcome('retrying')).toBe(2);
    expect(outcome('failed')).toBe(1);
    expect(value(samples, 'seam_outbox_pending', { module: 'notes', subscriber: 'tally' })).toBe(0);
    expect(
      value(samples, 'seam_outbox_oldest_pending_seconds', {
        module: 'notes',
        subscriber: 'tally',
      }),
    ).toBe(0);
    expect(value(samples, 'seam_database_up', {})).toBe(1);
    expect(
      value(samples, 'seam_database_connections_max', { kind: t.database.kind }),
    ).toBeGreaterThan(0);
    expect(
      value(samples, 'seam_database_queries_in_flight', { kind: t.database.kind }),
    ).toBeGreaterThanOrEqual(0);
  });

  it('measures typed calls in-process by operation and outcome', async () => {
    const notes = t.host.clients.of(notesContract);
    await notes.sleep({ ms: 0 });
    await notes.sleep({ ms: 0 });
    await expect(notes.breakContract({})).rejects.toBeInstanceOf(AppError);
    const samples = await scrape(t.url!);
    const count = (operation: string, outcome: string) =>
      value(samples, 'seam_operation_duration_seconds_count', {
        module: 'notes',
        operation,
        outcome,
        transport: 'in-process',
      });
    expect(count('sleep', 'ok')).toBe(2);
    expect(count('breakContract', 'internal')).toBe(1);
    expect(count('createNote', 'ok')).toBeGreaterThanOrEqual(1);
  });

  it('shows the breaker of a remote replica closed, then open once it refused the calls', async () => {
    const before = await scrape(t.url!);
    expect(value(before, 'seam_breaker_state', { target: 'ghost', replica: dead })).toBe(0);

    const error = await t.host.clients
      .of(ghostContract)
      .ping({})
      .catch((e: unknown) => e);
    expect((error as AppError).status).toBe(503);

    const after = await scrape(t.url!);
    // Open (1) for the cooldown, half-open (2) after it: never closed again without an answer.
    expect([1, 2]).toContain(
      value(after, 'seam_breaker_state', { target: 'ghost', replica: dead }),
    );
    expect(
      value(after, 'seam_operation_duration_seconds_count', {
        module: 'ghost',
        operation: 'ping',
        outcome: (error as AppError).code,
        transport: 'http',
      }),
    ).toBe(1);
  });

  it('summarises the same calls in Metrics.snapshot', () => {
    const snapshot = t.host.metrics.snapshot();
    const sleep = snapshot.operations.find(
      (o) => o.module === 'notes' && o.operation === 'sleep' && o.transport === 'in-process',
    );
    expect(sleep).toMatchObject({ count: 2, errors: 0 });
    expect(sleep!.p50Seconds).toBeGreaterThan(0);
    const metricsRoute = snapshot.routes.find((r) => r.route === '/metrics');
    expect(metricsRoute!.count).toBeGreaterThanOrEqual(3);
  });
});

describe('a split topology in one process', () => {
  let notesService: TestHost;
  let tallyService: TestHost;

  beforeAll(async () => {
    const notesPort = await freePort();
    const notesUrl = `http://127.0.0.1:${notesPort}`;
    tallyService = await startTestHost({
      modules: [notesModule, tallyModule],
      listen: true,
      env: {
        ...FAST_RETRIES,
        SEAM_SERVICE: 'tally',
        SEAM_MODULES: 'tally',
        SEAM_REMOTES: `notes=${notesUrl}`,
      },
    });
    notesService = await startTestHost({
      modules: [notesModule, tallyModule],
      env: {
        ...FAST_RETRIES,
        SEAM_SERVICE: 'notes',
        SEAM_MODULES: 'notes',
        SEAM_REMOTES: `tally=${tallyService.url}`,
      },
    });
    await notesService.host.listen(notesPort);
  });
  afterAll(async () => {
    await tallyService?.close();
    await notesService?.close();
  });

  it('labels calls to another service with the http transport and its breaker closed', async () => {
    const notes = tallyService.host.clients.of(notesContract);
    await notes.createNote({ text: 'over the wire' });
    await notes.sleep({ ms: 0 });

    const caller = await scrape(tallyService.url!);
    expect(value(caller, 'seam_info', {})).toBe(1);
    expect(caller.find((s) => s.name === 'seam_info')!.labels.service).toBe('tally');
    for (const operation of ['createNote', 'sleep']) {
      expect(
        value(caller, 'seam_operation_duration_seconds_count', {
          module: 'notes',
          operation,
          outcome: 'ok',
          transport: 'http',
        }),
      ).toBe(1);
    }
    const notesUrl = `http://127.0.0.1:${new URL(tallyService.host.config.SEAM_REMOTES.notes![0]!).port}`;
    expect(value(caller, 'seam_breaker_state', { target: 'notes', replica: notesUrl })).toBe(0);

    const callee = await scrape(`${notesUrl}`);
    expect(
      value(callee, 'http_requests_total', {
        method: 'POST',
        route: '/internal/operations/:module/:operation',
        status: '200',
      }),
    ).toBe(2);
  });

  it('counts the event the publisher delivered to the other service', async () => {
    const notesUrl = tallyService.host.config.SEAM_REMOTES.notes![0]!;
    const samples = await eventually(async () => {
      const found = await scrape(notesUrl);
      const delivered = value(found, 'seam_event_deliveries_total', {
        subscriber: 'tally',
        event: 'notes.NoteCreated',
        outcome: 'delivered',
      });
      // The attempt is counted when the subscriber answers, the row marked delivered just after.
      const pending = value(found, 'seam_outbox_pending', { module: 'notes', subscriber: 'tally' });
      if (delivered !== 1 || pending !== 0) {
        throw new Error(`delivered: ${delivered}, pending: ${pending}`);
      }
      return found;
    });
    expect(
      value(samples, 'seam_breaker_state', { target: 'tally', replica: tallyService.url! }),
    ).toBe(0);
  });
});
