// A consumer module for the platform's event tests: it records every
// notes.NoteCreated it handles, and fails on purpose for some texts.
import { fileURLToPath } from 'node:url';
import { integer, pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { AppError, defineContract, defineModule, on } from '../src/index.js';
import { NoteCreated } from '../src/testing/fixtures/index.js';

export const seen = pgSchema('tally').table('seen', {
  noteId: uuid('note_id').primaryKey(),
  text: text('text').notNull(),
  lagMs: integer('lag_ms').notNull(),
});

/** tallyControl steers failures: `flaky-N` fails N times, `poison` until healed. */
export const tallyControl = { healed: false, failures: new Map<string, number>() };

export const tallyContract = defineContract({
  name: 'tally',
  description: 'Counts notes (platform test fixture)',
  operations: {},
  routes: {},
});

export const tallyModule = defineModule({
  contract: tallyContract,
  migrationsFolder: fileURLToPath(new URL('./tally-migrations', import.meta.url)),
  consumes: [NoteCreated],
  setup() {
    return {
      operations: {},
      routes() {},
      handlers: [
        on(NoteCreated, async (event, { tx }) => {
          const { noteId, text: body } = event.payload;
          const flaky = /^flaky-(\d+)$/.exec(body);
          if (flaky) {
            const failed = tallyControl.failures.get(noteId) ?? 0;
            if (failed < Number(flaky[1])) {
              tallyControl.failures.set(noteId, failed + 1);
              throw new Error(`flaky failure ${failed + 1}`);
            }
          }
          if (body === 'poison' && !tallyControl.healed) {
            throw AppError.unprocessable('poison note');
          }
          await tx.insert(seen).values({
            noteId,
            text: body,
            lagMs: Date.now() - Date.parse(event.occurredAt),
          });
        }),
      ],
    };
  },
});
