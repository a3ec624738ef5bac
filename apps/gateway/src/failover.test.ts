// Replicas that die, hang or misbehave behind the gateway: ejection, fallback
// to the other replicas, a fast 503 when none is left, and recovery through the
// probe. Every replica is a real server on loopback; "killing" one closes it.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { parseTopology, type Topology } from '@seam/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from './gateway.js';
import { pingsModule } from './test-support/pings-module.js';
import {
  startGateway,
  startFixtureCluster,
  readyGateway,
  startReplica,
  waitFor,
  type RunningReplica,
} from './test-support/cluster.js';

const TIMEOUT_MS = 1_000;

let notes: RunningReplica;
let pingsA: RunningReplica;
let pingsB: RunningReplica;
let gateway: Gateway;
let gatewayUrl: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  ({
    notes,
    pingsA,
    pingsB,
    gateway,
    url: gatewayUrl,
  } = await startFixtureCluster({ gatewayEnv: { SEAM_GATEWAY_TIMEOUT_MS: String(TIMEOUT_MS) } }));
});

afterAll(async () => {
  await gateway?.close();
  for (const cleanup of cleanups) await cleanup();
  await Promise.all([notes?.stop(), pingsA?.stop(), pingsB?.stop()]);
});

async function ping(base = gatewayUrl): Promise<{ status: number; replica?: string }> {
  const response = await fetch(`${base}/api/pings`);
  const body = (await response.json()) as { replica?: string };
  return { status: response.status, replica: body.replica };
}

async function restart(replica: RunningReplica, name: string): Promise<RunningReplica> {
  return startReplica({
    modules: [pingsModule],
    env: { FIXTURE_REPLICA: name },
    port: replica.port,
  });
}

function replicaState(service: string, url: string) {
  return gateway.pool.status()[service]!.replicas.find((r) => r.url === url)!.state;
}

describe('a replica that dies', () => {
  it('is ejected, and every request keeps succeeding on the other replica', async () => {
    await pingsA.stop();
    const answers = [];
    for (let i = 0; i < 10; i++) answers.push(await ping());
    expect(answers).toEqual(Array.from({ length: 10 }, () => ({ status: 200, replica: 'b' })));
    expect(replicaState('pings', pingsA.url)).toBe('ejected');

    const ready = await fetch(`${gatewayUrl}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { services: Record<string, { replicas: unknown[] }> };
    expect(body.services.pings!.replicas).toEqual([
      expect.objectContaining({ url: pingsA.url, state: 'ejected', lastError: expect.any(String) }),
      expect.objectContaining({ url: pingsB.url, state: 'ready' }),
    ]);
  });

  it('gets traffic again once its probe succeeds', async () => {
    pingsA = await restart(pingsA, 'a');
    await waitFor('replica a to be probed back', async () =>
      replicaState('pings', pingsA.url) === 'ready' ? true : undefined,
    );
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await ping()).replica!);
    expect([...seen].sort()).toEqual(['a', 'b']);
  });
});

describe('a service with every replica down', () => {
  it('answers 503 module-unavailable at once, for reads and writes', async () => {
    await Promise.all([pingsA.stop(), pingsB.stop()]);
    for (const method of ['GET', 'POST']) {
      const started = performance.now();
      const response = await fetch(`${gatewayUrl}/api/pings`, {
        method,
        ...(method === 'POST'
          ? { headers: { 'content-type': 'application/json' }, body: '{}' }
          : {}),
      });
      const ms = performance.now() - started;
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await response.json()).toMatchObject({
        code: 'module-unavailable',
        status: 503,
        detail: expect.stringContaining('Module pings is unavailable'),
      });
      // Bounded by design (refused connections, then no candidates); reported, not asserted.
      console.info(`${method} /api/pings with every replica down answered in ${ms.toFixed(1)} ms`);
    }
  });

  it('is reported by /health/ready and absent from /openapi.json while other services serve', async () => {
    type Health = { services: Record<string, { ready: boolean; documented: boolean }> };
    // The probes settle it within a round or two; a loaded machine may need more.
    const health = await waitFor('pings alone to be reported down', async () => {
      const response = await fetch(`${gatewayUrl}/health/ready`);
      const { services } = (await response.json()) as Health;
      const settled = services.notes!.ready && services.notes!.documented && !services.pings!.ready;
      return settled ? { status: response.status, services } : undefined;
    });
    expect(health).toMatchObject({
      status: 503,
      services: {
        notes: { ready: true, documented: true },
        pings: { ready: false, documented: false },
      },
    });
    const document = (await (await fetch(`${gatewayUrl}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
      info: { description: string };
    };
    expect(Object.keys(document.paths).some((p) => p.startsWith('/api/pings'))).toBe(false);
    expect(Object.keys(document.paths)).toContain('/api/notes/notes');
    expect(document.info.description).toContain('no replica answers: pings');
    expect((await fetch(`${gatewayUrl}/api/notes/notes/${crypto.randomUUID()}`)).status).toBe(404);
  });

  it('is routed and documented again when a replica comes back', async () => {
    pingsB = await restart(pingsB, 'b');
    await waitFor('pings to answer through the gateway', async () => {
      const answer = await ping();
      return answer.status === 200 ? answer : undefined;
    });
    const paths = await waitFor('pings to be documented again', async () => {
      const document = (await (await fetch(`${gatewayUrl}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      return '/api/pings' in document.paths ? Object.keys(document.paths) : undefined;
    });
    expect(paths).toContain('/api/notes/notes');
    expect((await fetch(`${gatewayUrl}/health/ready`)).status).toBe(200);
  });
});

describe('a replica that hangs', () => {
  it('answers 504 upstream-timeout within the gateway timeout, then recovers', async () => {
    const response = await fetch(`${gatewayUrl}/api/notes/slow?ms=${TIMEOUT_MS * 3}`);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ code: 'upstream-timeout' });
    await waitFor('notes to be probed back', async () =>
      replicaState('notes', notes.url) === 'ready' ? true : undefined,
    );
    expect((await fetch(`${gatewayUrl}/api/notes/slow?ms=1`)).status).toBe(200);
  });
});

describe('a replica behind a broken proxy', () => {
  let broken: Server;
  let brokenGateway: Gateway;
  let brokenUrl: string;
  let healthy: RunningReplica;

  beforeAll(async () => {
    // Answers like a load balancer with nothing behind it: a bare 502, not a problem document.
    broken = createServer((req, res) => {
      res.writeHead(req.url === '/health/ready' ? 200 : 502, { 'content-type': 'text/html' });
      res.end('<h1>502 Bad Gateway</h1>');
    });
    broken.listen(0, '127.0.0.1');
    await once(broken, 'listening');
    const port = (broken.address() as { port: number }).port;
    healthy = await startReplica({ modules: [pingsModule], env: { FIXTURE_REPLICA: 'healthy' } });
    const topology: Topology = parseTopology({
      services: {
        pings: { modules: ['pings'], replicas: [`http://127.0.0.1:${port}`, healthy.url] },
      },
    });
    ({ gateway: brokenGateway, url: brokenUrl } = await startGateway(topology, {
      SEAM_GATEWAY_EJECT_MS: '60000',
    }));
    cleanups.push(
      () => brokenGateway.close(),
      () => healthy.stop(),
      async () => {
        broken.close();
        broken.closeAllConnections();
      },
    );
  });

  it('is ejected, and a read it failed is answered by the next replica', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ping(brokenUrl));
    expect(answers).toEqual(Array.from({ length: 4 }, () => ({ status: 200, replica: 'healthy' })));
    expect(
      brokenGateway.pool.status().pings!.replicas.map((r) => [r.state, r.lastError ?? '']),
    ).toEqual([
      ['ejected', 'GET /api/pings: answered 502'],
      ['ready', ''],
    ]);
  });
});

describe('a replica that drains (SIGTERM with SEAM_SHUTDOWN_DRAIN_MS)', () => {
  it('gets no request after its first draining answer, before any probe', async () => {
    const drainEnv = { SEAM_SHUTDOWN_DRAIN_MS: '3000' };
    const [leaving, staying] = await Promise.all([
      startReplica({ modules: [pingsModule], env: { FIXTURE_REPLICA: 'leaving', ...drainEnv } }),
      startReplica({ modules: [pingsModule], env: { FIXTURE_REPLICA: 'staying', ...drainEnv } }),
    ]);
    // Probes far apart: only the draining answer can take the replica out this soon.
    const { gateway: drainGateway, url } = await startGateway(
      parseTopology({
        services: { pings: { modules: ['pings'], replicas: [leaving.url, staying.url] } },
      }),
      { SEAM_GATEWAY_PROBE_MS: '30000' },
    );
    try {
      await readyGateway(url);
      const stopped = leaving.stop();
      const answers: { status: number; replica?: string; draining: string | null }[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await fetch(`${url}/api/pings`);
        const body = (await response.json()) as { replica?: string };
        answers.push({
          status: response.status,
          replica: body.replica,
          draining: response.headers.get('x-seam-draining'),
        });
      }
      const served = answers.map((answer) => answer.replica);
      // At most one request (round robin's turn) reaches the leaving replica, and is served.
      expect(served.slice(served.indexOf('leaving') + 1)).toEqual(
        Array<string>(served.length - served.indexOf('leaving') - 1).fill('staying'),
      );
      expect(served.filter((replica) => replica === 'leaving').length).toBeLessThanOrEqual(1);
      expect(answers.every((answer) => answer.status === 200 && answer.draining === null)).toBe(
        true,
      );
      expect(drainGateway.pool.status().pings!.replicas.map((r) => r.state)).toEqual([
        'ejected',
        'ready',
      ]);
      await stopped;
    } finally {
      await drainGateway.close();
      await Promise.all([leaving.stop(), staying.stop()]);
    }
  });
});
