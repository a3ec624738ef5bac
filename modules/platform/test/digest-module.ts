// A consumer module for the platform's event tests whose handler needs another
// module: it reads the note through the notes client in `prepare`, outside the
// inbox transaction, and writes what it read inside it.
import { fileURLToPath } from 'node:url';
import { pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { defineContract, defineModule, on } from '../src/index.js';
import { NoteCreated, notesContract } from '../src/testing/fixtures/index.js';

export const digests = pgSchema('digest').table('digests', {
  noteId: uuid('note_id').primaryKey(),
  text: text('text').notNull(),
});

/** digestControl counts prepare calls. */
export const digestControl = { prepared: 0 };

export const digestModule = defineModule({
  contract: defineContract({
    name: 'digest',
    description: 'Digests notes (platform test fixture)',
    operations: {},
    routes: {},
  }),
  migrationsFolder: fileURLToPath(new URL('./digest-migrations', import.meta.url)),
  consumes: [NoteCreated],
  setup({ clients }) {
    const notesClient = clients.of(notesContract);
    return {
      operations: {},
      routes() {},
      handlers: [
        on(NoteCreated, {
          prepare: async (event) => {
            digestControl.prepared += 1;
            return notesClient.getNote({ id: event.payload.noteId });
          },
          handle: async (event, { tx, prepared: note }) => {
            await tx.insert(digests).values({ noteId: event.payload.noteId, text: note.text });
          },
        }),
      ],
    };
  },
});
