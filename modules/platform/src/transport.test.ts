// Remote-call resilience of the HTTP transport: round robin over replicas,
// ejection of failing ones (circuit breaker), retries for idempotent calls only,
// and deadlines that propagate from one call to the calls it makes.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notesContract, notesModule } from './testing/fixtures/index.js';
import { createClient, createHttpTransport, type HttpTransportOptions } from './client.js';
import { AppError } from './errors.js';
import { startTestHost, type TestHost } from './testing/index.js';

const SERVICE_TOKEN = 'transport-service-token-0123456789abcdef';
/** DEAD and DEAD_TOO are loopback ports nothing listens on: connections are refused at once. */
let DEAD: string;
let DEAD_TOO: string;

async function unusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

let a: TestHost;
let b: TestHost;

beforeAll(async () => {
  [DEAD, DEAD_TOO] = await Promise.all([unusedUrl(), unusedUrl()]);
  const env = { SEAM_SERVICE_TOKEN: SERVICE_TOKEN };
  [a, b] = await Promise.all([
    startTestHost({ modules: [notesModule], listen: true, env }),
    startTestHost({ modules: [notesModule], listen: true, env }),
  ]);
});
afterAll(() => Promise.all([a.close(), b.close()]));

/** clientOver builds a notes client that records the origin of every attempt. */
function clientOver(baseUrls: string[], extra: Partial<HttpTransportOptions> = {}) {
  const hits: string[] = [];
  const onAttempt = (url: string) => hits.push(url);
  const client = createClient(
    notesContract,
    createHttpTransport({ baseUrls, serviceToken: SERVICE_TOKEN, onAttempt, ...extra }),
    { caller: 'test', defaultTimeoutMs: 3_000 },
  );
  return { client, hits };
}

describe('replicas', () => {
  it('spreads calls round robin over the replicas', async () => {
    const { client, hits } = clientOver([a.url!, b.url!]);
    for (let i = 0; i < 6; i++) await client.sleep({ ms: 0 });
    expect(hits.filter((h) => h === a.url).length).toBe(3);
    expect(hits.filter((h) => h === b.url).length).toBe(3);
  });

  it('retries an idempotent call on the next replica when one refuses connections', async () => {
    const { client, hits } = clientOver([DEAD, a.url!]);
    await expect(client.sleep({ ms: 0 })).resolves.toEqual({ slept: 0 });
    expect(hits).toEqual([DEAD, a.url]);
  });

  it('ejects a failing replica after consecutive failures and stops calling it', async () => {
    const { client, hits } = clientOver([DEAD, a.url!], { breakAfter: 2, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 8; i++) await client.sleep({ ms: 0 });
    const deadHits = hits.filter((h) => h === DEAD).length;
    expect(deadHits).toBe(2);
    expect(hits.filter((h) => h === a.url).length).toBe(8);
  });

  it('probes an ejected replica again after the break and uses it once it answers', async () => {
    const { client, hits } = clientOver([DEAD, a.url!], { breakAfter: 1, halfOpenAfterMs: 50 });
    await client.sleep({ ms: 0 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await client.sleep({ ms: 0 });
    await client.sleep({ ms: 0 });
    expect(hits.filter((h) => h === DEAD).length).toBeGreaterThanOrEqual(2);
  });

  it('retries a non-idempotent call only when the connection was refused', async () => {
    const { client, hits } = clientOver([DEAD, a.url!]);
    const note = await client.createNote({ text: 'refused first' });
    expect(note.text).toBe('refused first');
    expect(hits).toEqual([DEAD, a.url]);
  });

  it('never retries an answer of the callee, even for idempotent calls', async () => {
    const { client, hits } = clientOver([a.url!, b.url!]);
    const error = await client.breakContract({}).catch((e: unknown) => e);
    expect((error as AppError).status).toBe(500);
    expect(hits).toHaveLength(1);
  });

  it('fails with 503 when every replica is down, without hanging', async () => {
    const { client } = clientOver([DEAD, DEAD_TOO], {
      breakAfter: 1,
      halfOpenAfterMs: 60_000,
    });
    const first = await client.sleep({ ms: 0 }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(AppError);
    expect((first as AppError).status).toBe(503);
    const second = await client.sleep({ ms: 0 }).catch((e: unknown) => e);
    expect((second as AppError).code).toBe('module-unavailable');
  });
});

describe('deadlines', () => {
  it('propagates the caller deadline to the calls an operation makes', async () => {
    const local = a.host.clients.of(notesContract);
    const error = await local.relay({ ms: 3_000 }, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(504);
  });

  it('propagates the deadline across an HTTP hop', async () => {
    const { client } = clientOver([a.url!]);
    const error = await client.relay({ ms: 3_000 }, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect((error as AppError).status).toBe(504);
    expect((error as AppError).code).toBe('deadline-exceeded');
  });
});
