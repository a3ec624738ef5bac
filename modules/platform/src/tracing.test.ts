// Traces in one process: what tracing.ts and its callers record when a tracer
// provider is registered (here with an in-memory exporter), what they leave
// alone when tracing is off, the outbox keeping the publisher's traceparent,
// logs carrying trace ids, and when the OTEL_* variables turn export on.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { SpanKind, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notesContract, notesModule } from './testing/fixtures/index.js';
import { tallyModule } from '../test/tally-module.js';
import { loadTelemetryConfig, tracesExported } from './config.js';
import { isAppError } from './errors.js';
import { eventTables } from './events/tables.js';
import { createLogger } from './logger.js';
import { send } from './remote/http.js';
import { eventually, startTestHost, type TestHost } from './testing/index.js';
import { setTracingOn } from './tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

let t: TestHost;
let headersSeen: IncomingHttpHeaders[] = [];
let echo: Server;
let echoUrl: string;

beforeAll(async () => {
  provider.register();
  setTracingOn(true);
  t = await startTestHost({
    modules: [notesModule, tallyModule],
    env: { SEAM_EVENT_POLL_MS: '20' },
  });
  echo = createServer((req, res) => {
    headersSeen.push(req.headers);
    res.end('ok');
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const address = echo.address();
  echoUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await t?.close();
  echo?.close();
  setTracingOn(false);
  await provider.shutdown();
});

afterEach(async () => {
  // A test's event deliveries end before the next test looks at spans.
  const { deliveries } = eventTables('notes');
  await eventually(async () => {
    expect(await t.host.database.db.$count(deliveries, eq(deliveries.status, 'pending'))).toBe(0);
  });
  setTracingOn(true);
  exporter.reset();
  headersSeen = [];
});

const finished = () => exporter.getFinishedSpans();
const named = (name: string) => finished().filter((s) => s.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
/** startedSince ignores spans an earlier test's event deliveries started and ended later. */
const startedSince = (epochMs: number) =>
  finished().filter((s) => s.startTime[0] * 1000 + s.startTime[1] / 1e6 >= epochMs);

describe('spans of a call in one process', () => {
  it('records the typed client call, the operation, its SQL and the event it publishes, in one trace', async () => {
    const note = await t.host.clients.of(notesContract).createNote({ text: 'traced' });
    const [call] = named('notes.createNote').filter((s) => s.kind === SpanKind.CLIENT);
    expect(call?.attributes).toMatchObject({
      'seam.module': 'notes',
      'seam.operation': 'createNote',
      'seam.transport': 'in-process',
    });
    const [operation] = named('notes.createNote').filter((s) => s.kind === SpanKind.INTERNAL);
    expect(parentOf(operation!)).toBe(call!.spanContext().spanId);
    const traceId = call!.spanContext().traceId;
    const queries = finished().filter(
      (s) => s.attributes['db.system'] === 'postgresql' && s.spanContext().traceId === traceId,
    );
    expect(queries.length).toBeGreaterThan(0);
    expect(queries[0]!.kind).toBe(SpanKind.CLIENT);
    expect(queries[0]!.attributes['db.query.text']).toEqual(expect.any(String));

    const [publish] = named('publish notes.NoteCreated');
    expect(publish?.kind).toBe(SpanKind.PRODUCER);
    expect(publish!.spanContext().traceId).toBe(traceId);
    // The outbox row keeps the publish span's traceparent…
    const { outbox } = eventTables('notes');
    const [row] = await t.host.database.db
      .select({ traceparent: outbox.traceparent, payload: outbox.payload })
      .from(outbox)
      .where(eq(outbox.id, String(publish!.attributes['messaging.message.id'])));
    expect(row?.traceparent).toBe(`00-${traceId}-${publish!.spanContext().spanId}-01`);
    expect(row?.payload).toMatchObject({ noteId: note.id });
    // …so the delivery and the handler, later, continue that trace.
    const handler = await eventually(() => {
      const [span] = named('process notes.NoteCreated');
      expect(span).toBeDefined();
      return span!;
    });
    expect(handler.kind).toBe(SpanKind.CONSUMER);
    expect(handler.spanContext().traceId).toBe(traceId);
    expect(handler.attributes).toMatchObject({
      'messaging.system': 'seam',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'notes.NoteCreated',
      'seam.module': 'tally',
    });
    const [delivery] = await eventually(() => {
      const spans = named('send notes.NoteCreated');
      expect(spans).toHaveLength(1);
      return spans;
    });
    expect(parentOf(delivery!)).toBe(publish!.spanContext().spanId);
    expect(parentOf(handler)).toBe(delivery!.spanContext().spanId);
  });

  it('continues the traceparent a request arrives with, and names the span by its route', async () => {
    const created = await t.request('/api/notes/notes', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${TRACE_ID}-${PARENT_ID}-01`,
      },
      body: JSON.stringify({ text: 'from a traced client' }),
    });
    expect(created.status).toBe(201);
    const [server] = finished().filter((s) => s.kind === SpanKind.SERVER);
    expect(server?.name).toBe('POST /api/notes/notes');
    expect(server!.spanContext().traceId).toBe(TRACE_ID);
    expect(parentOf(server!)).toBe(PARENT_ID);
    expect(server!.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/notes/notes',
      'http.response.status_code': 201,
      'seam.module': 'notes',
    });
  });

  it('keeps health probes and metrics scrapes out of traces', async () => {
    const from = Date.now();
    expect((await t.request('/health/ready')).status).toBe(200);
    expect((await t.request('/metrics')).status).toBe(200);
    // Nothing started since: no SERVER span, not the readiness `select 1`.
    expect(startedSince(from).map((s) => s.name)).toEqual([]);
  });

  it('records a 4xx answer without marking the span as an error', async () => {
    const res = await t.request('/api/notes/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":',
    });
    expect(res.status).toBe(400);
    const [server] = finished().filter((s) => s.kind === SpanKind.SERVER);
    expect(server?.attributes['http.response.status_code']).toBe(400);
    expect(server?.status.code).toBe(0);
  });
});

describe('the traceparent on HTTP requests', () => {
  it('is sent with the active span’s trace id when tracing is on', async () => {
    await tracer.startActiveSpan('caller', async (span) => {
      const result = await send(echoUrl, { method: 'GET', path: '/x', headers: {} });
      await result.body.text();
      span.end();
    });
    const [caller] = named('caller');
    expect(headersSeen[0]?.traceparent).toMatch(
      new RegExp(`^00-${caller!.spanContext().traceId}-[0-9a-f]{16}-01$`),
    );
    const [client] = named('GET');
    expect(client?.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(client!)).toBe(caller!.spanContext().spanId);
    expect(client?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
  });

  it('is not added, and nothing is recorded, when tracing is off', async () => {
    setTracingOn(false);
    const from = Date.now();
    await tracer.startActiveSpan('caller', async (span) => {
      const result = await send(echoUrl, { method: 'GET', path: '/x', headers: {} });
      await result.body.text();
      span.end();
    });
    await t.host.clients.of(notesContract).createNote({ text: 'untraced' });
    expect(headersSeen[0]?.traceparent).toBeUndefined();
    expect(startedSince(from).map((s) => s.name)).toEqual(['caller']);
  });
});

describe('logs', () => {
  function sink() {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    return { lines, log: createLogger({ level: 'info', service: 'test', destination }) };
  }

  it('carry the traceId and spanId of the active span', () => {
    const { lines, log } = sink();
    tracer.startActiveSpan('work', (span) => {
      log.child({ module: 'notes' }).info({ noteId: 'n1' }, 'inside');
      span.end();
    });
    log.info({ noteId: 'n2' }, 'outside');
    log.info({ noteId: 'n3' }, 'outside again');
    const [span] = named('work');
    expect(lines[0]).toMatchObject({
      msg: 'inside',
      module: 'notes',
      noteId: 'n1',
      traceId: span!.spanContext().traceId,
      spanId: span!.spanContext().spanId,
    });
    // Lines outside a span keep their own fields and nothing of another line's.
    expect(lines[1]).toMatchObject({ msg: 'outside', noteId: 'n2' });
    expect(lines[1]).not.toHaveProperty('traceId');
    expect(lines[2]).toMatchObject({ msg: 'outside again', noteId: 'n3' });
  });

  it('carry no ids when tracing is off', () => {
    setTracingOn(false);
    const { lines, log } = sink();
    tracer.startActiveSpan('work', (span) => {
      log.info({ noteId: 'n1' }, 'inside');
      span.end();
    });
    log.info({ requestId: 'r1' }, 'after');
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(lines[0]).toMatchObject({ msg: 'inside', noteId: 'n1' });
    expect(lines[0]).not.toHaveProperty('traceId');
    expect(lines[1]).toMatchObject({ msg: 'after', requestId: 'r1' });
    expect(lines[1]).not.toHaveProperty('noteId');
  });
});

describe('OTEL_* variables', () => {
  const exported = (env: Record<string, string>) => tracesExported(loadTelemetryConfig(env));

  it('export traces only when an exporter or an endpoint is named', () => {
    expect(exported({})).toBe(false);
    expect(exported({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(exported({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
    expect(exported({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(exported({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
  });

  it('do not export when the exporter is none or the SDK is disabled', () => {
    expect(
      exported({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
    expect(
      exported({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
  });

  it('reject bad values with the variable named', () => {
    const error = (() => {
      try {
        loadTelemetryConfig({
          OTEL_TRACES_EXPORTER: 'jaeger',
          OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http',
          OTEL_TRACES_SAMPLER_ARG: '2',
        });
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })();
    expect(isAppError(error)).toBe(true);
    expect((error as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_PROTOCOL',
      'OTEL_TRACES_EXPORTER',
      'OTEL_TRACES_SAMPLER_ARG',
    ]);
  });
});
