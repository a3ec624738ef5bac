// The one HTTP client between Seam processes, at the socket level: keep-alive
// connections are never reused once the server may be closing them as idle (the
// race that would leave a non-idempotent call with an unknown outcome), and a
// call whose connection drops after it was sent is never repeated unless it is
// idempotent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../client.js';
import type { CallContext } from '../contract.js';
import { AppError } from '../errors.js';

const TOKEN = 'http-test-service-token-0123456789abcdef';

interface CountingServer {
  url: string;
  requests: number;
  connections: number;
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** countingServer answers every call with its sequence number, or as `behave` says. */
async function countingServer(
  keepAliveTimeout: number,
  behave: 'answer' | 'drop' = 'answer',
): Promise<CountingServer> {
  const state = { requests: 0, connections: 0 } as CountingServer;
  const server = createServer({ keepAliveTimeout }, (req, res) => {
    state.requests += 1;
    req.resume();
    req.on('end', () => {
      if (behave === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ n: state.requests }));
    });
  });
  server.on('connection', () => (state.connections += 1));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.server = server;
  return state;
}

const context = (): CallContext => ({
  requestId: 'test',
  caller: 'test',
  deadline: Date.now() + 5_000,
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keep-alive connections', () => {
  it('never lose a non-idempotent call to a server closing idle connections', async () => {
    // The server drops idle connections after 600 ms; calls come just before,
    // at and just after that moment, when a reused connection would be closing.
    const server = await countingServer(600);
    const transport = createHttpTransport({ baseUrl: server.url, serviceToken: TOKEN });
    const pauses = [0, 0, 560, 590, 600, 610, 640, 0, 580, 620];
    const answers = [];
    for (const ms of pauses) {
      await pause(ms);
      answers.push(await transport.call('m', 'op', {}, context(), { idempotent: false }));
    }
    expect(answers).toEqual(pauses.map((_, i) => ({ n: i + 1 })));
    expect(server.requests).toBe(pauses.length);
  });

  it('reuses a connection while the server keeps it open', async () => {
    const server = await countingServer(30_000);
    const transport = createHttpTransport({ baseUrl: server.url, serviceToken: TOKEN });
    for (let i = 0; i < 20; i++) {
      await transport.call('m', 'op', {}, context(), { idempotent: false });
    }
    expect(server.requests).toBe(20);
    // One or two connections (the second may open while the first is released), not one per call.
    expect(server.connections).toBeLessThanOrEqual(2);
  });
});

describe('a connection that drops after the call was sent', () => {
  it('fails a non-idempotent call at once, without repeating it', async () => {
    const server = await countingServer(30_000, 'drop');
    const transport = createHttpTransport({ baseUrl: server.url, serviceToken: TOKEN });
    const error = await transport
      .call('m', 'op', {}, context(), { idempotent: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('module-unreachable');
    expect(server.requests).toBe(1);
  });

  it('retries an idempotent call', async () => {
    const server = await countingServer(30_000, 'drop');
    const transport = createHttpTransport({
      baseUrl: server.url,
      serviceToken: TOKEN,
      retries: 2,
    });
    await transport.call('m', 'op', {}, context(), { idempotent: true }).catch(() => undefined);
    expect(server.requests).toBe(3);
  });
});
