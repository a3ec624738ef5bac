import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { listenOn, stopServer, type ServerType } from './serve.js';

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
