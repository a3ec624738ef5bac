// Two tiny modules the gateway's tests put behind it: notes (a table, validation,
// auth, errors, a header echo, a slow route) and pings (stateless, says which
// replica answered). Modelled on the platform's own notes fixture.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import {
  AppError,
  BEARER_SECURITY,
  createRoute,
  defineContract,
  defineModule,
  jsonBody,
  jsonContent,
  problemResponses,
  requireAuth,
  z,
} from '@seam/platform';

/** ECHOED_HEADERS are the request headers GET /api/notes/headers reports back. */
export const ECHOED_HEADERS = [
  'authorization',
  'idempotency-key',
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-seam-service-token',
  'x-custom',
] as const;

const notesTable = pgSchema('notes').table('notes', {
  id: uuid('id').primaryKey(),
  text: text('text').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

const NoteSchema = z
  .object({ id: z.uuid(), text: z.string(), createdAt: z.string() })
  .openapi('GatewayNote');
const CreateNoteSchema = z
  .object({ text: z.string().min(1).max(100) })
  .openapi('GatewayCreateNote');
const IdParams = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
const ReplicaSchema = z.object({ replica: z.string() }).openapi('GatewayReplica');

const notesContract = defineContract({
  name: 'notes',
  description: 'Notes (gateway test fixture)',
  operations: {},
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
    headers: createRoute({
      method: 'get',
      path: '/headers',
      summary: 'Echo the request headers the service received',
      tags: ['notes'],
      responses: { 200: jsonContent(z.record(z.string(), z.string()), 'Headers') },
    }),
    slow: createRoute({
      method: 'get',
      path: '/slow',
      summary: 'Answer after a delay',
      tags: ['notes'],
      request: { query: z.object({ ms: z.coerce.number().int().min(0).max(10_000) }) },
      responses: { 200: jsonContent(z.object({ slept: z.number() }), 'Slept') },
    }),
    unavailable: createRoute({
      method: 'get',
      path: '/unavailable',
      summary: 'Answer a 503 problem, as a module whose dependency is down does',
      tags: ['notes'],
      responses: { 200: jsonContent(z.object({}), 'Never'), ...problemResponses(503) },
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
  setup({ db }) {
    const toNote = (row: typeof notesTable.$inferSelect) => ({
      id: row.id,
      text: row.text,
      createdAt: row.createdAt.toISOString(),
    });
    return {
      operations: {},
      routes(app) {
        app.openapi(notesContract.routes.createNote, async (c) => {
          const [row] = await db
            .insert(notesTable)
            .values({ id: randomUUID(), text: c.req.valid('json').text })
            .returning();
          return c.json(toNote(row!), 201);
        });
        app.openapi(notesContract.routes.getNote, async (c) => {
          const id = c.req.valid('param').id;
          const [row] = await db.select().from(notesTable).where(eq(notesTable.id, id));
          if (!row) throw AppError.notFound(`Note ${id} does not exist`);
          return c.json(toNote(row), 200);
        });
        app.openapi(notesContract.routes.secret, (c) => c.json({ ok: true }, 200));
        app.openapi(notesContract.routes.headers, (c) => {
          const seen: Record<string, string> = {};
          for (const name of ECHOED_HEADERS) {
            const value = c.req.header(name);
            if (value !== undefined) seen[name] = value;
          }
          return c.json(seen, 200);
        });
        app.openapi(notesContract.routes.slow, async (c) => {
          const { ms } = c.req.valid('query');
          await new Promise((resolve) => setTimeout(resolve, ms));
          return c.json({ slept: ms }, 200);
        });
        app.openapi(notesContract.routes.unavailable, () => {
          throw AppError.unavailable('A dependency is down (on purpose)', 'dependency-down');
        });
        app.openapi(notesContract.routes.boom, () => {
          throw new Error('database password is hunter2');
        });
      },
    };
  },
});

const pingsContract = defineContract({
  name: 'pings',
  description: 'Pings (gateway test fixture): which replica answered',
  operations: {},
  routes: {
    ping: createRoute({
      method: 'get',
      path: '/',
      summary: 'Say which replica answered',
      tags: ['pings'],
      responses: { 200: jsonContent(ReplicaSchema, 'The replica') },
    }),
  },
});

export const pingsModule = defineModule({
  contract: pingsContract,
  migrationsFolder: fileURLToPath(new URL('./pings-migrations', import.meta.url)),
  /** FIXTURE_REPLICA names the replica in answers, so tests can count where requests went. */
  config: { FIXTURE_REPLICA: z.string().default('unnamed') },
  setup({ config }) {
    return {
      operations: {},
      routes(app) {
        app.openapi(pingsContract.routes.ping, (c) =>
          c.json({ replica: config.FIXTURE_REPLICA }, 200),
        );
      },
    };
  },
});
