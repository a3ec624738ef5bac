// A tiny module used by the platform's own tests: one table, a few routes and
// operations that succeed, fail on purpose, run slow or break their contract.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import {
  AppError,
  BEARER_SECURITY,
  createRoute,
  defineContract,
  defineEvent,
  defineModule,
  defineOperation,
  jsonBody,
  jsonContent,
  problemResponses,
  requireAuth,
  z,
} from '../src/index.js';

const notesSchema = pgSchema('notes');
export const notes = notesSchema.table('notes', {
  id: uuid('id').primaryKey(),
  text: text('text').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const NoteSchema = z
  .object({ id: z.uuid(), text: z.string(), createdAt: z.string() })
  .openapi('Note', {
    example: { id: randomUUID(), text: 'hello', createdAt: new Date(0).toISOString() },
  });
const CreateNoteSchema = z.object({ text: z.string().min(1).max(100) }).openapi('CreateNote');
const IdParams = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const NoteCreated = defineEvent({
  type: 'notes.NoteCreated',
  version: 1,
  description: 'A note was created',
  payload: z.object({ noteId: z.uuid(), text: z.string() }),
});

export const notesContract = defineContract({
  name: 'notes',
  description: 'Notes (platform test fixture)',
  events: { NoteCreated },
  operations: {
    createNote: defineOperation({
      summary: 'Create a note',
      input: CreateNoteSchema,
      output: NoteSchema,
      idempotent: false,
    }),
    getNote: defineOperation({
      summary: 'Get a note',
      input: z.object({ id: z.uuid() }),
      output: NoteSchema,
      idempotent: true,
    }),
    sleep: defineOperation({
      summary: 'Wait',
      input: z.object({ ms: z.number().int().min(0).max(10_000) }),
      output: z.object({ slept: z.number() }),
      idempotent: true,
    }),
    relay: defineOperation({
      summary: 'Call sleep through the typed client (deadline propagation)',
      input: z.object({ ms: z.number().int().min(0).max(10_000) }),
      output: z.object({ slept: z.number() }),
      idempotent: true,
    }),
    breakContract: defineOperation({
      summary: 'Return output that does not match the schema',
      input: z.object({}),
      output: z.object({ count: z.number() }),
      idempotent: true,
    }),
    crash: defineOperation({
      summary: 'Throw an unexpected error',
      input: z.object({}),
      output: z.object({}),
      idempotent: true,
    }),
  },
  routes: {
    createNote: createRoute({
      method: 'post',
      path: '/notes',
      summary: 'Create a note',
      tags: ['notes'],
      request: { body: jsonBody(CreateNoteSchema, 'The note') },
      responses: { 201: jsonContent(NoteSchema, 'Created'), ...problemResponses(400, 413, 415) },
    }),
    getNote: createRoute({
      method: 'get',
      path: '/notes/{id}',
      summary: 'Get a note',
      tags: ['notes'],
      request: { params: IdParams },
      responses: { 200: jsonContent(NoteSchema, 'The note'), ...problemResponses(400, 404) },
    }),
    secret: createRoute({
      method: 'get',
      path: '/secret',
      summary: 'Admins only',
      tags: ['notes'],
      security: BEARER_SECURITY,
      middleware: [requireAuth('admin')] as const,
      responses: {
        200: jsonContent(z.object({ ok: z.boolean() }), 'OK'),
        ...problemResponses(401, 403),
      },
    }),
    boom: createRoute({
      method: 'get',
      path: '/boom',
      summary: 'Fail unexpectedly',
      tags: ['notes'],
      responses: { 200: jsonContent(z.object({}), 'Never') },
    }),
  },
});

export const notesModule = defineModule({
  contract: notesContract,
  migrationsFolder: fileURLToPath(new URL('./notes-migrations', import.meta.url)),
  setup({ db, events, clients }) {
    const toNote = (row: typeof notes.$inferSelect) => ({
      id: row.id,
      text: row.text,
      createdAt: row.createdAt.toISOString(),
    });
    const create = async (text: string) =>
      db.transaction(async (tx) => {
        const [row] = await tx.insert(notes).values({ id: randomUUID(), text }).returning();
        await events.publish(tx, NoteCreated, { noteId: row!.id, text });
        if (text === 'rollback') throw AppError.conflict('rolled back on purpose');
        return toNote(row!);
      });
    const get = async (id: string) => {
      const [row] = await db.select().from(notes).where(eq(notes.id, id));
      if (!row) throw AppError.notFound(`Note ${id} does not exist`);
      return toNote(row);
    };
    return {
      operations: {
        createNote: (input) => create(input.text),
        getNote: (input) => get(input.id),
        sleep: async ({ ms }) => {
          await new Promise((resolve) => setTimeout(resolve, ms));
          return { slept: ms };
        },
        relay: ({ ms }) => clients.of(notesContract).sleep({ ms }, { timeoutMs: 10_000 }),
        breakContract: async () => ({ count: 'many' }) as unknown as { count: number },
        crash: async () => {
          throw new Error('database password is hunter2');
        },
      },
      routes(app) {
        app.openapi(notesContract.routes.createNote, async (c) =>
          c.json(await create(c.req.valid('json').text), 201),
        );
        app.openapi(notesContract.routes.getNote, async (c) =>
          c.json(await get(c.req.valid('param').id), 200),
        );
        app.openapi(notesContract.routes.secret, (c) => c.json({ ok: true }, 200));
        app.openapi(notesContract.routes.boom, () => {
          throw new Error('database password is hunter2');
        });
      },
    };
  },
});
