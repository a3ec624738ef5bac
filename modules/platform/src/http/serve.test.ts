import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { Agent as UndiciAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { classify, DRAINING_HEADER } from '../remote/http.js';
import { drainServer, listenOn, stopServer, type ServerType } from './serve.js';

let server: ServerType;
let port: number;

beforeAll(async () => {
  // Reads the first chunk of a body and answers without the rest, as a media type
  // check that only asks whether there is a body does.
  const started = await listenOn(
    async (req) => {
      if (req.body) await req.clone().body!.getReader().read();
      return new Response(null, { status: req.body ? 415 : 204 });
    },
    { port: 0, hostname: '127.0.0.1', log: createLogger({ level: 'silent', service: 'test' }) },
  );
  server = started.server;
  port = started.port;
});

afterAll(() => stopServer(server, 1_000));

/** send sends one request over `agent`, so that it may reuse a kept-alive connection. */
function send(agent: Agent, method: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      agent,
      host: '127.0.0.1',
      port,
      method,
      path: '/',
      headers: body ? { 'content-length': body.length } : {},
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('listenOn', () => {
  it('keeps the next request on a connection working after an answer sent before the body was read', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await send(agent, 'POST', 'x'.repeat(400_000))).toBe(415);
      expect(await send(agent, 'GET')).toBe(204);
    } finally {
      agent.destroy();
    }
  });
});

describe('stopServer', () => {
  const log = createLogger({ level: 'silent', service: 'test' });

  it('answers, never resets, a request written onto an idle connection as a draining server stops', async () => {
    // A client that closes idle connections after 200 ms, like Seam's after 4 s.
    const client = new UndiciAgent({ keepAliveTimeout: 200, keepAliveMaxTimeout: 200 });
    const outcomes = new Map<string, number>();
    try {
      for (let round = 0; round < 12; round++) {
        const { server, url } = await listenOn(
          async (request) => Response.json({ read: (await request.text()).length }),
          { port: 0, hostname: '127.0.0.1', log },
        );
        const post = () =>
          client
            .request({ origin: url, path: '/', method: 'POST', body: '{}' })
            .then(async (answer) => {
              await answer.body.text();
              const draining = answer.headers[DRAINING_HEADER] === undefined ? '' : ', draining';
              return `answered ${answer.statusCode}${draining}`;
            })
            .catch((error: unknown) => {
              const { notSent, reason } = classify(error);
              return notSent ? 'refused before sending' : `unknown outcome: ${reason}`;
            });
        // Four connections, idle once their answers are read.
        await Promise.all([post(), post(), post(), post()]);
        const idle = () => (client.stats[url] as { free?: number } | undefined)?.free ?? 0;
        for (let turn = 0; turn < 100 && idle() < 4; turn++) {
          await new Promise((resolve) => setImmediate(resolve));
        }
        drainServer(server, 0);
        // As many requests written onto them, then the stop: at once, a tick later, a turn later.
        const racing = Array.from({ length: idle() }, post);
        if (round % 3 === 1) await new Promise((resolve) => process.nextTick(resolve));
        if (round % 3 === 2) await new Promise((resolve) => setImmediate(resolve));
        const stopped = stopServer(server, 5_000);
        for (const outcome of await Promise.all(racing)) {
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
        await stopped;
      }
    } finally {
      await client.close();
    }
    expect(Object.fromEntries(outcomes)).toEqual({ 'answered 200, draining': 12 * 4 });
  });

  /** idleConnection starts a server and leaves one connection to it idle, kept by node:http's agent (which never closes one itself). */
  async function idleConnection() {
    const { server, port: target } = await listenOn(async () => new Response(null), {
      port: 0,
      hostname: '127.0.0.1',
      log,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const socket = await new Promise<Socket>((resolve, reject) => {
      const req = httpRequest({ agent, host: '127.0.0.1', port: target, path: '/' });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(req.socket as Socket));
      });
      req.on('error', reject);
      req.end();
    });
    return { server, agent, socket };
  }

  it('closes idle connections a draining server still has once the grace is over', async () => {
    const { server, agent, socket } = await idleConnection();
    try {
      const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      drainServer(server);
      let stopped = false;
      const stopping = stopServer(server, 10_000, 400).then(() => (stopped = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(socket.destroyed).toBe(false);
      expect(stopped).toBe(false);
      await Promise.all([gone, stopping]);
      expect(stopped).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('closes idle connections at once when the server was not draining', async () => {
    const { server, agent } = await idleConnection();
    try {
      // The grace is far beyond the test's timeout: only the immediate close ends this.
      await stopServer(server, 600_000, 600_000);
    } finally {
      agent.destroy();
    }
  });
});
