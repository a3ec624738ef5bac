// The console on the gateway: one admin-only answer for the whole topology,
// gathered from every replica (health, breakers, each process's errors and
// routes, the merged module graph), and retries sent to the right service.
import { randomUUID } from 'node:crypto';
import {
  parseTopology,
  PROBLEM_CONTENT_TYPE,
  type ConsoleState,
  type Topology,
} from '@seam/platform';
import { createTestTokens, fixtures } from '@seam/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from './gateway.js';
import { pingsModule } from './test-support/pings-module.js';
import { startReplica, waitFor, type RunningReplica } from './test-support/cluster.js';

let tokens: Awaited<ReturnType<typeof createTestTokens>>;
let admin: string;
let customer: string;
let notes: RunningReplica;
let pingsA: RunningReplica;
let pingsB: RunningReplica;
let topology: Topology;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  tokens = await createTestTokens();
  admin = await tokens.sign({ id: randomUUID(), email: 'admin@example.com', role: 'admin' });
  customer = await tokens.sign({ id: randomUUID(), email: 'c@example.com', role: 'customer' });
  [notes, pingsA, pingsB] = await Promise.all([
    startReplica({ modules: [fixtures.notesModule], jwks: tokens.jwks }),
    startReplica({ modules: [pingsModule], jwks: tokens.jwks, env: { FIXTURE_REPLICA: 'a' } }),
    startReplica({ modules: [pingsModule], jwks: tokens.jwks, env: { FIXTURE_REPLICA: 'b' } }),
  ]);
  topology = parseTopology({
    services: {
      notes: { modules: ['notes'], replicas: [notes.url] },
      pings: { modules: ['pings'], replicas: [pingsA.url, pingsB.url] },
    },
  });
  gateway = await createGateway({
    topology,
    jwks: () => tokens.jwks({} as never),
    env: {
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      SEAM_GATEWAY_EJECT_MS: '200',
      SEAM_GATEWAY_PROBE_MS: '50',
      SEAM_SHUTDOWN_TIMEOUT_MS: '1000',
    },
  });
  url = (await gateway.listen(0)).url;
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([notes?.stop(), pingsA?.stop(), pingsB?.stop()]);
});

const state = async (token = admin) =>
  fetch(`${url}/api/console/state`, { headers: { authorization: `Bearer ${token}` } });

const stateOf = async (): Promise<ConsoleState> => {
  const response = await state();
  expect(response.status).toBe(200);
  return (await response.json()) as ConsoleState;
};

describe('the console on the gateway', () => {
  it('answers 401 without a token and 403 to a customer, as problems', async () => {
    const anonymous = await fetch(`${url}/api/console/state`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    const forbidden = await state(customer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
  });

  it('shows every service, its modules and each replica with its health and breaker', async () => {
    const body = await waitFor('every replica ready and probed', async () => {
      const current = await stateOf();
      const replicas = current.services.flatMap((s) => s.replicas);
      return replicas.every((r) => r.ready && r.breaker === 'ready') ? current : undefined;
    });
    expect(body.answeredBy).toBe('gateway');
    expect(body.services.map((s) => [s.name, s.modules, s.replicas.map((r) => r.url)])).toEqual([
      ['notes', ['notes'], [notes.url]],
      ['pings', ['pings'], [pingsA.url, pingsB.url]],
    ]);
    expect(body.graph.modules.map((m) => m.name).sort()).toEqual(['notes', 'pings']);
    // The gateway's own process first, then one per replica, each with its routes.
    expect(body.processes.map((p) => p.url ?? p.service)).toEqual([
      'gateway',
      notes.url,
      pingsA.url,
      pingsB.url,
    ]);
    const gatewayRoutes = body.processes[0]!.routes.map((r) => `${r.method} ${r.route}`);
    expect(gatewayRoutes).toContain('GET /api/console/state');
  });

  it('records the gateway’s own problem answers', async () => {
    await fetch(`${url}/internal/operations/notes/createNote`);
    const [gatewayProcess] = (await stateOf()).processes;
    expect(gatewayProcess!.errors[0]).toMatchObject({
      path: '/internal/operations/notes/createNote',
      status: 404,
    });
  });

  it('shows a replica that stopped as not ready, with its breaker open, and the others still', async () => {
    await pingsB.stop();
    const body = await waitFor('pings b ejected', async () => {
      const current = await stateOf();
      const b = current.services[1]!.replicas[1]!;
      return b.breaker === 'ejected' ? current : undefined;
    });
    const [a, b] = body.services[1]!.replicas;
    expect(a).toMatchObject({ url: pingsA.url, ready: true, breaker: 'ready' });
    expect(b).toMatchObject({ url: pingsB.url, ready: false, breaker: 'ejected' });
    expect(b!.error).toContain(pingsB.url);
    expect(body.processes.map((p) => p.url ?? p.service)).not.toContain(pingsB.url);
  });

  it('sends a retry to the service named, and relays its answer', async () => {
    const unknown = await fetch(
      `${url}/api/console/services/notes/deliveries/${randomUUID()}/retry`,
      { method: 'POST', headers: { authorization: `Bearer ${admin}` } },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    const nowhere = await fetch(
      `${url}/api/console/services/billing/deliveries/${randomUUID()}/retry`,
      { method: 'POST', headers: { authorization: `Bearer ${admin}` } },
    );
    expect(nowhere.status).toBe(404);
    expect(((await nowhere.json()) as { code: string }).code).toBe('service-not-found');
  });
});
