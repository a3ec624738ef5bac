// The real server over HTTP, no browser: it starts on a fresh database with the
// demo catalog, answers health checks, turns bad input into problem+json 4xx, and
// exits 0 on SIGTERM like a process manager expects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './support/server.js';

const PROBLEM_JSON = /^application\/problem\+json/;

let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('the server started as users start it', () => {
  it('reports live and ready, with the database it was given', async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      database: server.database.kind,
    });
  });

  it('lists at least 20 demo products on a fresh database', async () => {
    const res = await fetch(`${server.url}/api/catalog/products?limit=100`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(page.items.length).toBeGreaterThanOrEqual(20);

    const first = page.items[0]!;
    const one = await fetch(`${server.url}/api/catalog/products/${first.id}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual(first);
  });

  it('follows nextCursor through the whole catalog, each product once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const res = await fetch(`${server.url}/api/catalog/products?limit=7${query}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(cursor).toBeNull();
    expect(seen.length).toBeGreaterThanOrEqual(20);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('returns 400 problem+json when a JSON body is malformed', async () => {
    const res = await fetch(`${server.url}/api/users/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "ada@example.com", "password": ',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(PROBLEM_JSON);
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 400 });
    expect(typeof problem.type).toBe('string');
    expect(typeof problem.title).toBe('string');
    expect(typeof problem.detail).toBe('string');
    expect(JSON.stringify(problem)).not.toMatch(/\bat .+\.ts:\d+/);
  });

  it('returns 404 problem+json for an unknown product id', async () => {
    const res = await fetch(
      `${server.url}/api/catalog/products/00000000-0000-4000-8000-000000000000`,
    );
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(await res.json()).toMatchObject({ status: 404 });
  });

  it('returns 404 problem+json for an unknown route', async () => {
    const res = await fetch(`${server.url}/api/nowhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(PROBLEM_JSON);
  });

  it('exits with code 0 within 15 s of SIGTERM', async () => {
    const result = await server.stop(15_000);
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(server.logs()).toContain('"msg":"stopped"');
  });
});
