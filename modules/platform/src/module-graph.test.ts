import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestModule } from '../test/digest-module.js';
import { tallyModule } from '../test/tally-module.js';
import { defineContract, defineOperation } from './contract.js';
import { defineEvent } from './events/define.js';
import { authRequirement, requireAuth } from './http/auth.js';
import { createRoute, z } from '@hono/zod-openapi';
import type { Clients, ModuleDefinition } from './module.js';
import { moduleGraph, recordCalls } from './module-graph.js';
import { notesContract, notesModule } from './testing/fixtures/index.js';
import { fakeModule, recordingLogger, startTestHost, type TestHost } from './testing/index.js';

const echoContract = defineContract({
  name: 'echo',
  description: 'Echoes (module graph test)',
  operations: {
    echo: defineOperation({
      summary: 'Echo the text',
      input: z.object({ text: z.string() }),
      output: z.object({ text: z.string() }),
      idempotent: true,
    }),
  },
  routes: {},
});

/** clientsOf hands out a marker per contract, so a test sees which one it got. */
const clientsOf = (): Clients => ({
  of: (contract) => ({ contract: contract.name }) as never,
});

describe('moduleGraph on the fixture modules, from a running host', () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await startTestHost({ modules: [notesModule, digestModule, tallyModule] });
  });
  afterAll(() => t.close());

  it('derives the call digest → notes from the client digest asked for in its setup', () => {
    expect(t.host.graph.calls).toEqual([{ from: 'digest', to: 'notes' }]);
  });

  it('leaves out the call notes makes to itself (relay → sleep)', () => {
    expect(t.host.graph.calls.filter((edge) => edge.from === 'notes')).toEqual([]);
  });

  it('derives an event edge from the publisher to every subscriber of NoteCreated', () => {
    expect(t.host.graph.events).toEqual([
      { from: 'notes', to: 'digest', event: 'notes.NoteCreated' },
      { from: 'notes', to: 'tally', event: 'notes.NoteCreated' },
    ]);
  });

  it('lists each module with its routes, operations and events', () => {
    const [notes, digest] = t.host.graph.modules;
    expect(t.host.graph.modules.map((m) => m.name)).toEqual(['notes', 'digest', 'tally']);
    expect(notes!.description).toBe('Notes (platform test fixture)');
    expect(notes!.routes).toContainEqual({
      method: 'POST',
      path: '/api/notes/notes',
      operationId: 'createNote',
      summary: 'Create a note',
      auth: 'none',
    });
    expect(notes!.routes).toContainEqual({
      method: 'GET',
      path: '/api/notes/secret',
      operationId: 'getSecret',
      summary: 'Admins only',
      auth: 'admin',
    });
    expect(notes!.routes).toHaveLength(Object.keys(notesContract.routes).length);
    expect(notes!.operations).toContainEqual({
      name: 'createNote',
      summary: 'Create a note',
      idempotent: false,
    });
    expect(notes!.operations).toContainEqual({
      name: 'getNote',
      summary: 'Get a note',
      idempotent: true,
    });
    expect(notes!.publishes).toEqual([
      { type: 'notes.NoteCreated', version: 1, description: 'A note was created' },
    ]);
    expect(notes!.consumes).toEqual([]);
    expect(digest).toMatchObject({ routes: [], operations: [], publishes: [] });
    expect(digest!.consumes).toEqual(['notes.NoteCreated']);
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    expect(JSON.parse(JSON.stringify(t.host.graph))).toEqual(t.host.graph);
  });

  it('has every route the module registered in the OpenAPI document', () => {
    const documented = Object.entries(t.host.document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const route of t.host.graph.modules.flatMap((m) => m.routes)) {
      expect(documented).toContain(`${route.method} ${route.path}`);
    }
  });
});

describe('moduleGraph from definitions', () => {
  const Pinged = defineEvent({
    type: 'echo.Pinged',
    version: 2,
    description: 'Pinged',
    payload: z.object({ at: z.string() }),
  });
  const listener = fakeModule(
    defineContract({ name: 'listener', description: 'Listens', operations: {}, routes: {} }),
    { operations: {}, routes() {} },
    [Pinged],
  ) as unknown as ModuleDefinition;
  const echo = fakeModule(echoContract, {
    operations: { echo: async (input) => input },
    routes() {},
  }) as unknown as ModuleDefinition;

  it('keeps one call edge per pair, sorted, even when asked for twice', () => {
    const graph = moduleGraph([listener, echo], { listener: ['echo', 'users', 'echo'] });
    expect(graph.calls).toEqual([
      { from: 'listener', to: 'echo' },
      { from: 'listener', to: 'users' },
    ]);
  });

  it('names the publisher of a consumed event by its type, hosted here or not', () => {
    expect(moduleGraph([listener], {}).events).toEqual([
      { from: 'echo', to: 'listener', event: 'echo.Pinged' },
    ]);
  });

  it('has no call edges for modules nothing was recorded for', () => {
    expect(moduleGraph([listener, echo], {}).calls).toEqual([]);
  });

  it('names a route operationId only when its config has one', () => {
    const withId = defineContract({
      name: 'ids',
      description: 'Ids',
      operations: {},
      routes: {
        named: createRoute({
          method: 'get',
          path: '/',
          operationId: 'getIds',
          responses: { 204: { description: 'Nothing' } },
        }),
        anonymous: createRoute({
          method: 'delete',
          path: '/{id}',
          middleware: [requireAuth()] as const,
          responses: { 204: { description: 'Nothing' } },
        }),
      },
    });
    const module = fakeModule(withId, { operations: {}, routes() {} }) as ModuleDefinition;
    expect(moduleGraph([module], {}).modules[0]!.routes).toEqual([
      { method: 'GET', path: '/api/ids', operationId: 'getIds', auth: 'none' },
      { method: 'DELETE', path: '/api/ids/{id}', auth: 'user' },
    ]);
  });
});

describe('recordCalls', () => {
  it('records the contracts asked for, once each, in order', () => {
    const recorder = recordCalls('cart', clientsOf());
    recorder.clients.of(echoContract);
    recorder.clients.of(notesContract);
    recorder.clients.of(echoContract);
    expect(recorder.contracts).toEqual(['echo', 'notes']);
  });

  it('hands out the clients of the wrapped Clients', () => {
    const recorder = recordCalls('cart', clientsOf());
    expect(recorder.clients.of(echoContract)).toEqual({ contract: 'echo' });
  });

  it('after seal, still hands out the contracts asked for during setup', () => {
    const recorder = recordCalls('cart', clientsOf());
    recorder.clients.of(echoContract);
    recorder.seal();
    expect(recorder.clients.of(echoContract)).toEqual({ contract: 'echo' });
  });

  it('after seal, refuses a contract not asked for during setup, saying what to do', () => {
    const recorder = recordCalls('cart', clientsOf());
    recorder.seal();
    expect(() => recorder.clients.of(notesContract)).toThrow(
      'Module cart asked for a client of notes after its setup; call clients.of(notesContract) in setup, so the module graph records the call',
    );
    expect(recorder.contracts).toEqual([]);
  });
});

describe('a host seals each module’s clients after its setup', () => {
  const recording = recordingLogger();
  let t: TestHost;
  beforeAll(async () => {
    const lazy = fakeModule(echoContract, ({ clients }) => ({
      operations: {
        echo: async () => clients.of(notesContract).getNote({ id: crypto.randomUUID() }) as never,
      },
      routes() {},
    }));
    t = await startTestHost({ modules: [notesModule, lazy], log: recording.log });
  });
  afterAll(() => t.close());

  it('answers a call that asks for a client only when it runs with a 500, and logs why', async () => {
    await expect(t.host.clients.of(echoContract).echo({ text: 'hi' })).rejects.toMatchObject({
      status: 500,
    });
    expect(recording.lines.join('\n')).toContain(
      'Module echo asked for a client of notes after its setup',
    );
    expect(t.host.graph.calls).toEqual([]);
  });
});

describe('authRequirement', () => {
  it('is none without requireAuth, user with requireAuth(), the role with requireAuth(role)', () => {
    expect(authRequirement({})).toBe('none');
    expect(authRequirement({ middleware: [] })).toBe('none');
    expect(authRequirement({ middleware: [requireAuth()] })).toBe('user');
    expect(authRequirement({ middleware: requireAuth('admin') })).toBe('admin');
    expect(authRequirement({ middleware: [async () => {}, requireAuth('customer')] })).toBe(
      'customer',
    );
  });
});
