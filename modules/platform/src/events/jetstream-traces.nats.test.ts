// The trace crosses NATS: the relay carries the publisher's traceparent in the
// message headers, the subscriber's `receive` span continues it and its inbox
// `process` span is a child of that — one trace from publish to handler, as over
// HTTP push (tracing.test.ts). Two hosts, each on a database of its own.
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seen, tallyModule } from '../../test/tally-module.js';
import { createHost, type Host } from '../host.js';
import { notesContract, notesModule } from '../testing/fixtures/index.js';
import {
  createTestDatabase,
  eventually,
  testNats,
  type TestDatabase,
  type TestNats,
} from '../testing/index.js';
import { setTracingOn } from '../tracing.js';

const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

let nats: TestNats;
const databases: TestDatabase[] = [];
const hosts: Host[] = [];

async function start(modules: string): Promise<Host> {
  const database = await createTestDatabase(modules);
  databases.push(database);
  const host = await createHost({
    modules: [notesModule, tallyModule],
    env: {
      LOG_LEVEL: 'silent',
      SEAM_SERVICE: modules,
      SEAM_MODULES: modules,
      SEAM_EVENT_POLL_MS: '20',
      ...nats.env,
      ...database.env,
    },
  });
  hosts.push(host);
  return host;
}

beforeAll(() => {
  provider.register();
  setTracingOn(true);
  nats = testNats();
});

afterAll(async () => {
  for (const host of hosts) await host.close();
  for (const database of databases) await database.dispose();
  await nats?.dispose();
  setTracingOn(false);
  await provider.shutdown();
});

it('continues the publisher’s trace through JetStream to the subscriber’s handler', async () => {
  const publisher = await start('notes');
  const subscriber = await start('tally');
  const note = await publisher.clients.of(notesContract).createNote({ text: 'traced' });
  await eventually(async () => {
    const rows = await subscriber.database.db.select().from(seen);
    expect(rows.map((r) => r.noteId)).toContain(note.id);
  });
  const named = (name: string): ReadableSpan => {
    const span = exporter.getFinishedSpans().find((s) => s.name === name);
    if (!span) throw new Error(`no span ${name}`);
    return span;
  };
  const spans = await eventually(async () => ({
    publish: named('publish notes.NoteCreated'),
    send: named('send notes.NoteCreated'),
    receive: named('receive notes.NoteCreated'),
    process: named('process notes.NoteCreated'),
  }));
  const traceId = spans.publish.spanContext().traceId;
  for (const span of Object.values(spans)) expect(span.spanContext().traceId).toBe(traceId);
  expect(spans.send.attributes['seam.transport']).toBe('nats');
  expect(spans.receive.attributes['messaging.system']).toBe('nats');
  expect(spans.receive.parentSpanContext?.spanId).toBe(spans.send.spanContext().spanId);
  expect(spans.process.parentSpanContext?.spanId).toBe(spans.receive.spanContext().spanId);
});
