import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NoteCreated, notesContract, notesModule } from '../testing/fixtures/index.js';
import { seen, tallyControl, tallyModule } from '../../test/tally-module.js';
import { AppError } from '../errors.js';
import { createHost, type Host } from '../host.js';
import { freePort } from '../processes/process.js';
import {
  createTestDatabase,
  createTestTokens,
  eventually,
  jsonRequest,
  startTestHost,
  type TestDatabase,
  type TestHost,
  FAST_EVENT_RETRIES,
} from '../testing/index.js';
import { eventTables } from './tables.js';

const SERVICE_TOKEN = 'events-service-token-0123456789abcdef0123';
const FAST_RETRIES = { SEAM_SERVICE_TOKEN: SERVICE_TOKEN, ...FAST_EVENT_RETRIES };

const deliveries = eventTables('notes').deliveries;

/** startTallyService hosts only the subscriber, as its own service would. */
function startTallyService(database: TestDatabase): Promise<Host> {
  return createHost({
    modules: [notesModule, tallyModule],
    env: {
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      SEAM_SERVICE: 'tally',
      SEAM_MODULES: 'tally',
      SEAM_SERVICE_TOKEN: SERVICE_TOKEN,
      ...database.env,
    },
  });
}

describe('events in one process', () => {
  let t: TestHost;
  let adminToken: string;

  beforeAll(async () => {
    const tokens = await createTestTokens();
    adminToken = await tokens.sign({ id: randomUUID(), email: 'admin@example.com', role: 'admin' });
    t = await startTestHost({
      modules: [notesModule, tallyModule],
      jwks: tokens.jwks,
      env: FAST_RETRIES,
    });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    tallyControl.healed = false;
  });

  const notes = () => t.host.clients.of(notesContract);
  const seenNote = async (noteId: string) => {
    const rows = await t.host.database.db.select().from(seen);
    const row = rows.find((r) => r.noteId === noteId);
    if (!row) throw new Error(`note ${noteId} not handled yet`);
    return row;
  };

  it('delivers an event published in the state change transaction to its consumer', async () => {
    const note = await notes().createNote({ text: 'hello' });
    const row = await eventually(() => seenNote(note.id));
    expect(row.text).toBe('hello');
    expect(row.lagMs).toBeGreaterThanOrEqual(0);
  });

  it('publishes nothing when the transaction rolls back', async () => {
    const before = await t.host.database.db.$count(deliveries);
    const error = await notes()
      .createNote({ text: 'rollback' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(await t.host.database.db.$count(deliveries)).toBe(before);
    expect(await t.host.database.db.$count(eventTables('notes').outbox)).toBe(before);
  });

  it('retries a failing consumer with backoff until it succeeds', async () => {
    const note = await notes().createNote({ text: 'flaky-2' });
    await eventually(() => seenNote(note.id));
    const { outbox } = eventTables('notes');
    const [event] = await t.host.database.db
      .select()
      .from(outbox)
      .where(sql`${outbox.payload}->>'noteId' = ${note.id}`);
    const [delivery] = await t.host.database.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.eventId, event!.id));
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, subscriber: 'tally' });
    expect(delivery!.lastError).toBeNull();
  });

  it('marks a delivery failed after the last attempt, lists it for an admin, and retries it on request', async () => {
    const note = await notes().createNote({ text: 'poison' });
    const failed = await eventually(async () => {
      const res = await t.request(
        '/api/events/deliveries?status=failed',
        jsonRequest('GET', undefined, adminToken),
      );
      const body = (await res.json()) as {
        items: {
          id: string;
          eventId: string;
          attempts: number;
          lastError: string;
          subscriber: string;
          type: string;
        }[];
      };
      const item = body.items.find(
        (i) => i.type === 'notes.NoteCreated' && i.lastError.includes('poison'),
      );
      if (!item) throw new Error('not failed yet');
      return item;
    });
    expect(failed).toMatchObject({ subscriber: 'tally', attempts: 3 });
    expect(failed.lastError).toContain('422 unprocessable: poison note');

    tallyControl.healed = true;
    const retried = await t.request(
      `/api/events/deliveries/${failed.id}/retry`,
      jsonRequest('POST', undefined, adminToken),
    );
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 });
    await eventually(() => seenNote(note.id));

    const again = await t.request(
      `/api/events/deliveries/${failed.id}/retry`,
      jsonRequest('POST', undefined, adminToken),
    );
    expect(again.status).toBe(409);
  });

  it('lists and retries an event parked under the nats transport after a switch back to http', async () => {
    const noteId = randomUUID();
    const { parked } = eventTables('tally');
    const [row] = await t.host.database.db
      .insert(parked)
      .values({
        id: randomUUID(),
        eventId: randomUUID(),
        source: 'notes',
        type: NoteCreated.type,
        version: 1,
        payload: { noteId, text: 'parked under nats' },
        occurredAt: new Date(),
        status: 'failed',
        attempts: 3,
        nextAttemptAt: new Date(),
        lastError: '422 unprocessable: poison note',
      })
      .returning();
    const listed = await t.request(
      '/api/events/deliveries?status=failed',
      jsonRequest('GET', undefined, adminToken),
    );
    const { items } = (await listed.json()) as { items: { id: string; subscriber: string }[] };
    expect(items.find((i) => i.id === row!.id)).toMatchObject({ subscriber: 'tally' });
    await expect(seenNote(noteId)).rejects.toThrow('not handled yet');

    const retried = await t.request(
      `/api/events/deliveries/${row!.id}/retry`,
      jsonRequest('POST', undefined, adminToken),
    );
    expect(retried.status).toBe(200);
    await eventually(() => seenNote(noteId));
    const after = await eventually(async () => {
      const [parkedRow] = await t.host.database.db
        .select()
        .from(parked)
        .where(eq(parked.id, row!.id));
      if (parkedRow?.status !== 'delivered') throw new Error('not delivered yet');
      return parkedRow;
    });
    expect(after).toMatchObject({ status: 'delivered', attempts: 1, lastError: null });
  });

  it('guards the delivery routes: 401 without a token, 404 for an unknown delivery', async () => {
    expect((await t.request('/api/events/deliveries')).status).toBe(401);
    const res = await t.request(
      `/api/events/deliveries/${randomUUID()}/retry`,
      jsonRequest('POST', undefined, adminToken),
    );
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('consumes a redelivered event once (inbox)', async () => {
    const noteId = randomUUID();
    const envelope = {
      id: randomUUID(),
      type: NoteCreated.type,
      version: 1,
      source: 'notes',
      occurredAt: new Date().toISOString(),
      payload: { noteId, text: 'twice' },
    };
    const first = await fetchConsume(t, envelope);
    const second = await fetchConsume(t, envelope);
    expect([first, second]).toEqual(['processed', 'duplicate']);
    const rows = (await t.host.database.db.select().from(seen)).filter((r) => r.noteId === noteId);
    expect(rows).toHaveLength(1);
  });
});

describe('waking the dispatcher when the publishing transaction commits', () => {
  let t: TestHost;
  beforeAll(async () => {
    // A poll interval far beyond the test's timeout: only the commit can wake it.
    t = await startTestHost({
      modules: [notesModule, tallyModule],
      env: { ...FAST_RETRIES, SEAM_EVENT_POLL_MS: '60000' },
    });
  });
  afterAll(() => t.close());

  const handled = async (noteId: string) => {
    const rows = (await t.host.database.db.select().from(seen)).filter((r) => r.noteId === noteId);
    if (rows.length !== 1) throw new Error(`note ${noteId} not handled yet`);
  };

  it('delivers events published after the first sweep without waiting for the poll', async () => {
    // The first note may be found by the sweep at start; the next ones only by a wake.
    for (const text of ['first', 'second', 'third']) {
      const note = await t.host.clients.of(notesContract).createNote({ text });
      await eventually(() => handled(note.id), 20_000);
    }
  });

  it('delivers every event of a burst published concurrently', async () => {
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.host.clients.of(notesContract).createNote({ text: `burst ${i}` }),
      ),
    );
    for (const note of created) await eventually(() => handled(note.id), 20_000);
    const rows = await t.host.database.db
      .select()
      .from(deliveries)
      .where(
        inArray(
          deliveries.eventId,
          await eventIdsOf(
            t,
            created.map((n) => n.id),
          ),
        ),
      );
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === 'delivered' && r.attempts === 1)).toBe(true);
  });
});

/** eventIdsOf finds the outbox ids of the NoteCreated events of these notes. */
async function eventIdsOf(t: TestHost, noteIds: string[]): Promise<string[]> {
  const { outbox } = eventTables('notes');
  const events = await t.host.database.db
    .select({ id: outbox.id, payload: outbox.payload })
    .from(outbox);
  return events
    .filter((e) => noteIds.includes((e.payload as { noteId: string }).noteId))
    .map((e) => e.id);
}

/** fetchConsume posts an envelope to the internal delivery endpoint of the tally consumer. */
async function fetchConsume(t: TestHost, envelope: object): Promise<string> {
  const res = await t.host.app.request('/internal/events/tally', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-seam-service-token': SERVICE_TOKEN,
    },
    body: JSON.stringify(envelope),
  });
  return ((await res.json()) as { result: string }).result;
}

describe('events across a restart and across processes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.dispose());

  it('keeps events for a consumer that is down and delivers them once it is back', async () => {
    const env = {
      LOG_LEVEL: 'silent',
      ...FAST_RETRIES,
      SEAM_EVENT_MAX_ATTEMPTS: '100',
      ...database.env,
    };
    const publisherOnly = await createHost({
      modules: [notesModule, tallyModule],
      env: { ...env, SEAM_MODULES: 'notes' },
    });
    const note = await publisherOnly.clients.of(notesContract).createNote({ text: 'while down' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [pending] = await publisherOnly.database.db.select().from(deliveries);
    expect(pending).toMatchObject({ status: 'pending' });
    expect(pending!.attempts).toBeGreaterThan(0);
    await publisherOnly.close();

    const both = await createHost({ modules: [notesModule, tallyModule], env });
    try {
      const rows = await eventually(async () => {
        const found = (await both.database.db.select().from(seen)).filter(
          (r) => r.noteId === note.id,
        );
        if (found.length === 0) throw new Error('not delivered yet');
        return found;
      });
      expect(rows).toHaveLength(1);
    } finally {
      await both.close();
    }
  });

  it('delivers over HTTP to a consumer hosted by another process', async () => {
    const consumerDb = await createTestDatabase('tally');
    let consumer: Host | undefined;
    let publisher: Host | undefined;
    try {
      consumer = await startTallyService(consumerDb);
      const { url } = await consumer.listen(0);
      publisher = await createHost({
        modules: [notesModule, tallyModule],
        env: {
          LOG_LEVEL: 'silent',
          SEAM_MODULES: 'notes',
          SEAM_REMOTES: `tally=${url}`,
          ...FAST_RETRIES,
          ...database.env,
        },
      });
      const note = await publisher.clients.of(notesContract).createNote({ text: 'over http' });
      const consumerHost = consumer;
      await eventually(async () => {
        const found = (await consumerHost.database.db.select().from(seen)).filter(
          (r) => r.noteId === note.id,
        );
        if (found.length !== 1) throw new Error('not delivered yet');
      });
    } finally {
      await publisher?.close();
      await consumer?.close();
      await consumerDb.dispose();
    }
  });

  it('never fails a delivery while the subscriber cannot be reached, only when it answers errors', async () => {
    const port = await freePort();
    const subscriberDb = await createTestDatabase('tally');
    const env = {
      LOG_LEVEL: 'silent',
      SEAM_MODULES: 'notes',
      SEAM_REMOTES: `tally=http://127.0.0.1:${port}`,
      ...FAST_RETRIES,
      ...database.env,
    };
    let publisher: Host | undefined;
    let subscriber: Host | undefined;
    const failing = createServer((_, res) => {
      res.writeHead(500, { 'content-type': 'application/problem+json' });
      res.end(
        JSON.stringify({
          type: 'urn:seam:problem:internal',
          title: 'Internal',
          status: 500,
          code: 'internal',
          detail: 'handler broke',
        }),
      );
    });
    try {
      publisher = await createHost({ modules: [notesModule, tallyModule], env });
      const db = publisher.database.db;
      // The earlier tests of this block share the database: start from no deliveries.
      await db.delete(deliveries);
      const away = await publisher.clients.of(notesContract).createNote({ text: 'nobody there' });
      // Twice SEAM_EVENT_MAX_ATTEMPTS refused connections, and still pending.
      const waiting = await eventually(async () => {
        const [row] = await db.select().from(deliveries);
        if (!row || row.attempts < 6) throw new Error(`only ${row?.attempts} attempts so far`);
        return row;
      });
      expect(waiting.status).toBe('pending');
      expect(waiting.lastError).toMatch(
        /^503 module-unreachable: Subscriber tally at http:\/\/127\.0\.0\.1:\d+ is unreachable/,
      );

      // The subscriber comes up on that address: the waiting event arrives, once.
      subscriber = await startTallyService(subscriberDb);
      await subscriber.listen(port);
      const subscriberHost = subscriber;
      await eventually(async () => {
        const found = (await subscriberHost.database.db.select().from(seen)).filter(
          (r) => r.noteId === away.id,
        );
        if (found.length !== 1) throw new Error('not delivered yet');
      });
      await eventually(async () => {
        const [row] = await db.select().from(deliveries);
        expect(row!.status).toBe('delivered');
      });
      await subscriber.close();
      subscriber = undefined;

      // A subscriber that answers with an error uses up the attempts: failed after 3.
      failing.listen(port, '127.0.0.1');
      await once(failing, 'listening');
      await db.delete(deliveries);
      await publisher.clients.of(notesContract).createNote({ text: 'answered with an error' });
      const failed = await eventually(async () => {
        const [row] = await db.select().from(deliveries);
        if (row?.status !== 'failed') throw new Error(`still ${row?.status}`);
        return row;
      });
      expect(failed.attempts).toBe(3);
      expect(failed.lastError).toContain('handler broke');
    } finally {
      await publisher?.close();
      await subscriber?.close();
      failing.close();
      await subscriberDb.dispose();
    }
  });
});
