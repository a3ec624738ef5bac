import type { ModuleGraph } from '@seam/platform';
import { describe, expect, it } from 'vitest';
import type { ModuleReference } from './reference.js';
import {
  GENERATED_END,
  GENERATED_START,
  renderModuleGraph,
  renderModuleReference,
  replaceGenerated,
} from './render.js';

const reference: ModuleReference = {
  name: 'notes',
  description: 'Notes',
  routes: [
    {
      method: 'POST',
      path: '/api/notes',
      summary: 'Create a note',
      operationId: 'createNote',
      auth: 'admin',
      request: ['CreateNote', 'header: idempotency-key'],
      success: ['201 Note'],
      errors: ['400', '401'],
    },
    { method: 'GET', path: '/api/notes', auth: 'none', request: [], success: ['200'], errors: [] },
  ],
  operations: [
    { name: 'getNote', summary: 'Get', input: '{ id: uuid }', output: 'Note', idempotent: true },
    { name: 'addNote', summary: 'Add', input: 'A | B', output: 'Note', idempotent: false },
  ],
  publishes: [
    {
      type: 'notes.NoteCreated',
      version: 2,
      description: 'A note was created',
      payload: '{ noteId: uuid }',
      subscribers: ['digest', 'tally'],
    },
  ],
  consumes: [{ type: 'users.UserRegistered', publisher: 'users' }],
  calls: ['users'],
  calledBy: [],
};

describe('replaceGenerated', () => {
  const page = `# Notes\n\nBy hand.\n\n${GENERATED_START}\nold\n${GENERATED_END}\n\nAlso by hand.\n`;

  it('replaces what is between the markers and keeps the rest', () => {
    expect(replaceGenerated(page, 'new', 'notes.md')).toBe(
      `# Notes\n\nBy hand.\n\n${GENERATED_START}\n\nnew\n\n${GENERATED_END}\n\nAlso by hand.\n`,
    );
  });

  it('gives the same page when run twice', () => {
    const once = replaceGenerated(page, 'new', 'notes.md');
    expect(replaceGenerated(once, 'new', 'notes.md')).toBe(once);
  });

  it('refuses a page without both markers, or with the end first', () => {
    expect(() => replaceGenerated('# Notes\n', 'x', 'docs/notes.md')).toThrow(
      `docs/notes.md has no ${GENERATED_START} … ${GENERATED_END} pair`,
    );
    expect(() =>
      replaceGenerated(`${GENERATED_END}\n${GENERATED_START}\n`, 'x', 'docs/notes.md'),
    ).toThrow('docs/notes.md has no');
  });

  it('refuses a page with two generated parts', () => {
    expect(() => replaceGenerated(`${page}${page}`, 'x', 'docs/notes.md')).toThrow(
      'docs/notes.md has more than one',
    );
  });
});

describe('renderModuleReference', () => {
  const markdown = renderModuleReference(reference);

  it('lists each route with method, path, operation id, summary, auth and responses', () => {
    expect(markdown).toContain(
      '| `POST /api/notes` | `createNote` | Create a note | bearer, admin | `CreateNote`, `header: idempotency-key` | `201 Note` | 400, 401 |',
    );
    expect(markdown).toContain('| `GET /api/notes` |  |  | none | — | `200` | — |');
  });

  it('leaves the operation id column out when no route has one', () => {
    const without = renderModuleReference({
      ...reference,
      routes: reference.routes.map((route) => ({ ...route, operationId: undefined })),
    });
    expect(without).not.toContain('Operation id');
    expect(without).toContain('| `POST /api/notes` | Create a note | bearer, admin |');
  });

  it('lists operations with their schemas and idempotency, escaping | in unions', () => {
    expect(markdown).toContain('| `getNote` | Get | `{ id: uuid }` | `Note` | yes |');
    expect(markdown).toContain('| `addNote` | Add | `A \\| B` | `Note` | no |');
  });

  it('lists published events with their subscribers and consumed ones with their publisher', () => {
    expect(markdown).toContain(
      '| `notes.NoteCreated` | 2 | A note was created | `{ noteId: uuid }` | digest, tally |',
    );
    expect(markdown).toContain('| `users.UserRegistered` | users |');
  });

  it('names the modules it calls and those calling it', () => {
    expect(markdown).toContain('- Calls: users\n- Called by: none');
  });

  it('says None for a module without routes, operations or events', () => {
    const empty = renderModuleReference({
      ...reference,
      routes: [],
      operations: [],
      publishes: [],
      consumes: [],
    });
    expect(empty.match(/^None\.$/gm)).toHaveLength(4);
  });
});

describe('renderModuleGraph', () => {
  const graph: ModuleGraph = {
    modules: ['users', 'orders', 'notifications'].map((name) => ({
      name,
      description: name,
      routes: [],
      operations: [],
      publishes: [],
      consumes: [],
    })),
    calls: [{ from: 'notifications', to: 'users' }],
    events: [
      { from: 'orders', to: 'notifications', event: 'orders.OrderConfirmed' },
      { from: 'orders', to: 'notifications', event: 'orders.OrderFailed' },
      { from: 'users', to: 'notifications', event: 'users.UserRegistered' },
    ],
  };
  const mermaid = renderModuleGraph(graph);

  it('declares every module, so one without edges still shows', () => {
    expect(mermaid).toMatch(
      /^```mermaid\nflowchart LR\n {2}users\n {2}orders\n {2}notifications\n/,
    );
  });

  it('draws calls solid and events dashed, one arrow per pair labelled with the events', () => {
    expect(mermaid).toContain('  notifications -->|calls| users\n');
    expect(mermaid).toContain('  orders -.->|OrderConfirmed, OrderFailed| notifications\n');
    expect(mermaid).toContain('  users -.->|UserRegistered| notifications\n');
    expect(mermaid.match(/-\.->/g)).toHaveLength(2);
  });
});
