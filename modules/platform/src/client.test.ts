import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notesContract, notesModule } from './testing/fixtures/index.js';
import { createClient, createHttpTransport, SERVICE_TOKEN_HEADER } from './client.js';
import { defineContract, defineOperation, type ModuleClient } from './contract.js';
import { z } from '@hono/zod-openapi';
import { AppError, type Problem } from './errors.js';
import { startTestHost, type TestHost } from './testing/index.js';

const SERVICE_TOKEN = 'test-service-token-that-is-long-enough-0123456789';

const MISSING_ID = randomUUID();

let t: TestHost;
let inProcess: ModuleClient<typeof notesContract>;
let overHttp: ModuleClient<typeof notesContract>;

beforeAll(async () => {
  t = await startTestHost({
    modules: [notesModule],
    listen: true,
    env: { SEAM_SERVICE_TOKEN: SERVICE_TOKEN },
  });
  inProcess = t.host.clients.of(notesContract);
  overHttp = createClient(
    notesContract,
    createHttpTransport({ baseUrl: t.url!, serviceToken: SERVICE_TOKEN }),
    { caller: 'test', defaultTimeoutMs: 5_000 },
  );
});
afterAll(() => t.close());

/** settle runs a call and returns its value or the error's full problem form. */
async function settle<T>(call: Promise<T>) {
  try {
    return { ok: true as const, value: await call };
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    return {
      ok: false as const,
      error: { name: e.name, ...e.toProblem() },
    };
  }
}

describe('typed client over both transports', () => {
  it('creates through one transport and reads the same note through the other', async () => {
    const created = await inProcess.createNote({ text: 'hello' });
    expect(created).toMatchObject({ text: 'hello' });
    expect(await overHttp.getNote({ id: created.id })).toEqual(created);
    const viaHttp = await overHttp.createNote({ text: 'over http' });
    expect(await inProcess.getNote({ id: viaHttp.id })).toEqual(viaHttp);
  });

  const failures: [
    string,
    (c: ModuleClient<typeof notesContract>) => Promise<unknown>,
    number,
    string,
  ][] = [
    ['an unknown id', (c) => c.getNote({ id: MISSING_ID }), 404, 'not-found'],
    ['input that fails validation', (c) => c.createNote({ text: '' }), 400, 'validation-failed'],
    [
      'input of the wrong type',
      (c) => c.getNote({ id: 42 } as unknown as { id: string }),
      400,
      'validation-failed',
    ],
    [
      'a handler that returns output breaking its contract',
      (c) => c.breakContract({}),
      500,
      'internal',
    ],
    ['a handler that throws an unexpected error', (c) => c.crash({}), 500, 'internal'],
    [
      'a call that outlives its deadline',
      (c) => c.sleep({ ms: 2_000 }, { timeoutMs: 100 }),
      504,
      'deadline-exceeded',
    ],
  ];

  for (const [name, call, status, code] of failures) {
    it(`gives the identical typed error for ${name}`, async () => {
      const local = await settle(call(inProcess));
      const remote = await settle(call(overHttp));
      expect(local.ok).toBe(false);
      expect(local).toEqual(remote);
      if (!local.ok) {
        expect(local.error.status).toBe(status);
        expect(local.error.code).toBe(code);
        expect(JSON.stringify(local.error)).not.toContain('hunter2');
      }
    });
  }

  it('gives identical field errors for invalid input', async () => {
    const local = await settle(inProcess.createNote({ text: 'x'.repeat(101) }));
    const remote = await settle(overHttp.createNote({ text: 'x'.repeat(101) }));
    expect(local).toEqual(remote);
    expect(local.ok || local.error.errors).toEqual([
      expect.objectContaining({ path: 'text', code: 'too_big' }),
    ]);
  });

  it('returns identical values for a successful idempotent call', async () => {
    expect(await inProcess.sleep({ ms: 1 })).toEqual(await overHttp.sleep({ ms: 1 }));
  });
});

describe('internal operation endpoint', () => {
  it('rejects calls without the service credential with 401', async () => {
    const res = await fetch(`${t.url}/internal/operations/notes/getNote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: randomUUID() }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(((await res.json()) as Problem).code).toBe('invalid-service-token');
  });

  it('rejects a wrong credential of the right length with 401', async () => {
    const res = await fetch(`${t.url}/internal/operations/notes/getNote`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SERVICE_TOKEN_HEADER]: SERVICE_TOKEN.replace('t', 'x'),
      },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('answers 404 for an operation the module does not have', async () => {
    const res = await fetch(`${t.url}/internal/operations/notes/dropTables`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: SERVICE_TOKEN },
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as Problem).code).toBe('unknown-operation');
  });

  it('answers 404 for inherited object keys used as operation names', async () => {
    const res = await fetch(`${t.url}/internal/operations/notes/constructor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: SERVICE_TOKEN },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await fetch(`${t.url}/internal/operations/notes/getNote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: SERVICE_TOKEN },
      body: '{"id":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Problem).code).toBe('malformed-json');
  });

  it('is not listed in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths).some((p) => p.includes('internal'))).toBe(false);
  });
});

describe('HTTP transport failures', () => {
  it('turns a refused connection into a 503 module-unreachable error', async () => {
    const dead = createClient(
      notesContract,
      createHttpTransport({ baseUrl: 'http://127.0.0.1:1', serviceToken: SERVICE_TOKEN }),
      { caller: 'test', defaultTimeoutMs: 2_000 },
    );
    const result = await settle(dead.getNote({ id: randomUUID() }));
    expect(result.ok).toBe(false);
    expect(result.ok || result.error).toMatchObject({ status: 503, code: 'module-unreachable' });
  });

  it('reports a module that is neither hosted nor listed in SEAM_REMOTES as unavailable', async () => {
    const ghostContract = defineContract({
      name: 'ghost',
      description: 'Hosted nowhere',
      operations: {
        ping: defineOperation({
          summary: 'Ping',
          input: z.object({}),
          output: z.object({}),
          idempotent: true,
        }),
      },
      routes: {},
    });
    const result = await settle(t.host.clients.of(ghostContract).ping({}));
    expect(result.ok || result.error).toMatchObject({ status: 503, code: 'module-unreachable' });
  });
});
