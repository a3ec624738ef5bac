// The NATS JetStream transport between two real hosts (publisher `notes`,
// subscriber `tally`, each on a database of its own) through the NATS of
// NATS_URL, under a fresh prefix: the relay stores each event once (message id
// = event id), the subscriber pulls it with a durable consumer and acks after its
// inbox commit, events published while it is away arrive once it is back, and a
// handler failing for good parks the event where the admin list and retry find it.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seen, tallyControl, tallyModule } from '../../test/tally-module.js';
import { notesContract, notesModule } from '../testing/fixtures/index.js';
import { createHost, type Host } from '../host.js';
import {
  createTestDatabase,
  createTestTokens,
  eventually,
  jsonRequest,
  testNats,
  type TestDatabase,
  type TestNats,
  type TestTokens,
  FAST_EVENT_RETRIES,
} from '../testing/index.js';
import { RELAY } from './bus.js';
import { JetStreamBroker } from './jetstream.js';
import { consumerName, streamName } from './nats-names.js';
import { eventTables } from './tables.js';

const { deliveries } = eventTables('notes');
const { parked } = eventTables('tally');

let nats: TestNats;
let tokens: TestTokens;
let notesDb: TestDatabase;
let tallyDb: TestDatabase;
let publisher: Host;

const env = (database: TestDatabase, modules: string) => ({
  LOG_LEVEL: 'silent',
  HOST: '127.0.0.1',
  SEAM_SERVICE: modules,
  SEAM_MODULES: modules,
  ...FAST_EVENT_RETRIES,
  ...nats.env,
  ...database.env,
});

const startTally = () =>
  createHost({
    modules: [notesModule, tallyModule],
    env: env(tallyDb, 'tally'),
    jwks: tokens.jwks,
  });

const seenIn = async (host: Host, noteId: string) =>
  (await host.database.db.select().from(seen)).filter((r) => r.noteId === noteId);

beforeAll(async () => {
  nats = testNats();
  tokens = await createTestTokens();
  notesDb = await createTestDatabase('notes');
  tallyDb = await createTestDatabase('tally');
  publisher = await createHost({ modules: [notesModule, tallyModule], env: env(notesDb, 'notes') });
});

afterAll(async () => {
  await publisher?.close();
  await notesDb?.dispose();
  await tallyDb?.dispose();
  await nats?.dispose();
});

describe('events through NATS JetStream', () => {
  it('relays each event once to the publisher’s stream; the subscriber pulls, handles and acks it', async () => {
    const tally = await startTally();
    try {
      const note = await publisher.clients.of(notesContract).createNote({ text: 'via nats' });
      await eventually(async () => expect(await seenIn(tally, note.id)).toHaveLength(1));
      // The publisher keeps one relay delivery per event, not one per subscriber.
      const rows = await publisher.database.db.select().from(deliveries);
      expect(rows.map((r) => [r.subscriber, r.status])).toEqual([[RELAY, 'delivered']]);
      expect(await nats.stream('notes')).toMatchObject({ messages: 1 });
      await eventually(async () =>
        expect(await nats.pending('notes', consumerName('tally', 'notes.NoteCreated'))).toBe(0),
      );
      // The outbox gauges name the relay, not a subscriber the publisher never pushes to.
      const metrics = await (await publisher.app.request('/metrics')).text();
      expect(metrics).toContain('seam_outbox_pending{module="notes",subscriber="@broker"} 0');
      expect(metrics).not.toContain('subscriber="tally"}');
    } finally {
      await tally.close();
    }
  });

  it('drops a repeated relay of the same event (message id = event id)', async () => {
    const broker = new JetStreamBroker({
      servers: nats.servers,
      prefix: nats.prefix,
      name: 'dedupe-test',
      log: publisher.log,
    });
    try {
      const before = await nats.stream('notes');
      const envelope = {
        id: randomUUID(),
        type: 'notes.NoteCreated',
        version: 1,
        source: 'notes',
        occurredAt: new Date().toISOString(),
        payload: { noteId: randomUUID(), text: 'twice' },
      };
      await broker.publish(envelope, null);
      await broker.publish(envelope, null);
      expect((await nats.stream('notes')).messages).toBe(before.messages + 1);
    } finally {
      await broker.close();
    }
  });

  it('keeps events while the subscriber is away and hands over every one once it is back', async () => {
    const notes = publisher.clients.of(notesContract);
    const created: { id: string }[] = [];
    for (let i = 0; i < 20; i++) created.push(await notes.createNote({ text: `away ${i}` }));
    // Stored by the broker while nobody consumes them.
    await eventually(async () => {
      const relays = await publisher.database.db
        .select()
        .from(deliveries)
        .where(eq(deliveries.status, 'delivered'));
      expect(relays.length).toBeGreaterThanOrEqual(created.length);
    });
    const tally = await startTally();
    try {
      await eventually(async () => {
        const handled = (await tally.database.db.select().from(seen)).map((r) => r.noteId);
        expect(created.filter((n) => !handled.includes(n.id))).toEqual([]);
      });
      const all = (await tally.database.db.select().from(seen)).map((r) => r.noteId);
      expect(new Set(all).size).toBe(all.length);
    } finally {
      await tally.close();
    }
  });

  it('sets the stream and its consumers up again when they are deleted under running hosts', async () => {
    const tally = await startTally();
    try {
      const first = await publisher.clients.of(notesContract).createNote({ text: 'before' });
      await eventually(async () => expect(await seenIn(tally, first.id)).toHaveLength(1));
      await nats.withManager((jsm) => jsm.streams.delete(streamName(nats.prefix, 'notes')));
      const second = await publisher.clients.of(notesContract).createNote({ text: 'after' });
      await eventually(async () => expect(await seenIn(tally, second.id)).toHaveLength(1), 20_000);
      expect((await nats.stream('notes')).messages).toBeGreaterThanOrEqual(1);
    } finally {
      await tally.close();
    }
  });

  it('parks an event its handler keeps refusing; the admin list shows it failed and a retry delivers it', async () => {
    tallyControl.healed = false;
    const tally = await startTally();
    const admin = await tokens.sign({
      id: randomUUID(),
      email: 'admin@example.com',
      role: 'admin',
    });
    try {
      const note = await publisher.clients.of(notesContract).createNote({ text: 'poison' });
      const row = await eventually(async () => {
        const [found] = await tally.database.db
          .select()
          .from(parked)
          .where(and(eq(parked.status, 'failed')));
        if (!found) throw new Error('not parked yet');
        return found;
      });
      expect(row).toMatchObject({ source: 'notes', type: 'notes.NoteCreated', attempts: 3 });
      expect(row.lastError).toContain('poison note');
      // Acked once parked: nothing is left in the consumer.
      await eventually(async () =>
        expect(await nats.pending('notes', consumerName('tally', 'notes.NoteCreated'))).toBe(0),
      );

      const list = await tally.app.request(
        '/api/events/deliveries?status=failed',
        jsonRequest('GET', undefined, admin),
      );
      expect(list.status).toBe(200);
      const { items } = (await list.json()) as { items: { id: string; subscriber: string }[] };
      expect(items).toEqual([
        expect.objectContaining({
          id: row.id,
          module: 'notes',
          subscriber: 'tally',
          status: 'failed',
        }),
      ]);

      tallyControl.healed = true;
      const retried = await tally.app.request(
        `/api/events/deliveries/${row.id}/retry`,
        jsonRequest('POST', undefined, admin),
      );
      expect(retried.status).toBe(200);
      expect(await retried.json()).toMatchObject({ status: 'pending', attempts: 0 });
      await eventually(async () => expect(await seenIn(tally, note.id)).toHaveLength(1));
      const [after] = await tally.database.db.select().from(parked).where(eq(parked.id, row.id));
      expect(after).toMatchObject({ status: 'delivered', attempts: 1 });
      const again = await tally.app.request(
        `/api/events/deliveries/${row.id}/retry`,
        jsonRequest('POST', undefined, admin),
      );
      expect(again.status).toBe(409);
    } finally {
      tallyControl.healed = false;
      await tally.close();
    }
  });
});
