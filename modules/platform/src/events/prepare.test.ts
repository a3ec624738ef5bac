// Handlers that need another module call it in `prepare`, before the inbox
// transaction opens. On PGlite one connection serves the process, so the same
// call made inside the transaction would wait for the transaction to end.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { digestControl, digestModule, digests } from '../../test/digest-module.js';
import { NoteCreated, notes, notesModule } from '../testing/fixtures/index.js';
import { startTestHost, type TestHost } from '../testing/index.js';

const SERVICE_TOKEN = 'prepare-service-token-0123456789abcdef0123';

let t: TestHost;
beforeAll(async () => {
  t = await startTestHost({
    modules: [notesModule, digestModule],
    env: { SEAM_SERVICE_TOKEN: SERVICE_TOKEN, SEAM_CALL_TIMEOUT_MS: '2000' },
  });
});
afterAll(() => t?.close());

/**
 * createNote writes a note without publishing NoteCreated, so the dispatcher
 * delivers nothing that could race the envelopes these tests deliver by hand.
 */
async function createNote(text: string): Promise<{ id: string }> {
  const id = randomUUID();
  await t.host.database.db.insert(notes).values({ id, text });
  return { id };
}

async function deliver(envelope: object): Promise<{ status: number; result?: string }> {
  const res = await t.host.app.request('/internal/events/digest', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-seam-service-token': SERVICE_TOKEN },
    body: JSON.stringify(envelope),
  });
  return { status: res.status, ...((await res.json()) as { result?: string }) };
}

function noteCreated(noteId: string, text: string) {
  return {
    id: randomUUID(),
    type: NoteCreated.type,
    version: 1,
    source: 'notes',
    occurredAt: new Date().toISOString(),
    payload: { noteId, text },
  };
}

it('hands the result of prepare, which called another module in-process, to the handler', async () => {
  const note = await createNote('from the notes module');
  const started = Date.now();
  expect(await deliver(noteCreated(note.id, 'payload text'))).toEqual({
    status: 200,
    result: 'processed',
  });
  expect(Date.now() - started).toBeLessThan(2000);
  const rows = (await t.host.database.db.select().from(digests)).filter(
    (r) => r.noteId === note.id,
  );
  expect(rows).toEqual([{ noteId: note.id, text: 'from the notes module' }]);
});

it('skips prepare for an event already in the inbox', async () => {
  const note = await createNote('once');
  const envelope = noteCreated(note.id, 'once');
  expect((await deliver(envelope)).result).toBe('processed');
  const before = digestControl.prepared;
  expect((await deliver(envelope)).result).toBe('duplicate');
  expect(digestControl.prepared).toBe(before);
});

it('records nothing when prepare fails, so the delivery is retried', async () => {
  const missing = randomUUID();
  const envelope = noteCreated(missing, 'no such note');
  const first = await deliver(envelope);
  expect(first.status).toBe(404);
  const rows = (await t.host.database.db.select().from(digests)).filter(
    (r) => r.noteId === missing,
  );
  expect(rows).toEqual([]);
  // Not in the inbox: the same event is handled (and fails) again.
  expect((await deliver(envelope)).status).toBe(404);
});
