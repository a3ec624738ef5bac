// The one HTTP client between Seam processes, at the socket level: keep-alive
// connections are never reused once the server may be closing them as idle (the
// race that would leave a non-idempotent call with an unknown outcome), and a
// call whose connection drops after it was sent is never repeated unless it is
// idempotent, and a call to a host that takes no connection ends at its deadline.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport } from '../client.js';
import type { CallContext } from '../contract.js';
import { AppError } from '../errors.js';
import { drainServer } from '../http/serve.js';
import { classify, send } from './http.js';

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

const context = (deadline = Date.now() + 5_000): CallContext => ({
  requestId: 'test',
  caller: 'test',
  deadline,
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

describe('a replica that is draining', () => {
  it('gets no further call once it said so, while another replica can take them', async () => {
    const draining = await countingServer(65_000);
    const other = await countingServer(65_000);
    drainServer(draining.server, 60_000);
    const attempts: string[] = [];
    const transport = createHttpTransport({
      baseUrls: [draining.url, other.url],
      serviceToken: TOKEN,
      onAttempt: (url) => attempts.push(url),
    });
    for (let i = 0; i < 6; i++) {
      await transport.call('m', 'op', {}, context(), { idempotent: false });
    }
    // Round robin starts with the draining one: its answer (still served) takes it out.
    expect(attempts).toEqual([draining.url, ...Array<string>(5).fill(other.url)]);
    expect([draining.requests, other.requests]).toEqual([1, 5]);
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

/**
 * frozenListener is a port that takes no connection: a child process listens
 * with a backlog of one and blocks its event loop (Atomics.wait, no CPU), and the
 * accept queue is then filled, so the kernel drops further SYNs — to a client, a
 * host behind a network partition.
 */
async function frozenListener(
  freezeMs = 60_000,
): Promise<{ url: string; answered: Promise<unknown>; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const server = require('node:http').createServer((req, res) => {
         req.resume();
         req.on('end', () => {
           res.setHeader('content-type', 'application/json');
           res.end('{"late":true}', () => process.stdout.write('answered\\n'));
         });
       });
       server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         process.stdout.write(server.address().port + '\\n', () =>
           Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${freezeMs}));
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const output = child.stdout!.setEncoding('utf8');
  const [line] = (await once(output, 'data')) as [string];
  const answered = new Promise((resolve) =>
    output.on('data', (chunk: string) => chunk.includes('answered') && resolve(chunk)),
  );
  const port = Number(line.trim());
  // Fill the accept queue: these complete (or hang) and take the backlog.
  const fillers = Array.from({ length: 4 }, () => connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    url: `http://127.0.0.1:${port}`,
    answered,
    stop() {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
    },
  };
}

describe('a host that takes no connection (a partition)', () => {
  it('ends the call at its deadline, not at the connect timeout', async () => {
    const frozen = await frozenListener();
    try {
      const started = performance.now();
      const failure = await send(frozen.url, {
        method: 'POST',
        path: '/internal/operations/notes/createNote',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        timeoutMs: 300,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      const ms = performance.now() - started;
      expect(failure).toBeDefined();
      expect(classify(failure)).toMatchObject({ aborted: true, reason: 'timed out' });
      // undici's own connect timeout is 10 s: ending well before it is the deadline at work.
      expect(ms).toBeLessThan(5_000);
    } finally {
      frozen.stop();
    }
  });

  it("ends the wait for a connection when the caller's signal fires (the gateway's bound)", async () => {
    const frozen = await frozenListener();
    try {
      const started = performance.now();
      const failure = await send(frozen.url, {
        method: 'GET',
        path: '/health/ready',
        headers: {},
        signal: AbortSignal.timeout(300),
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(classify(failure)).toMatchObject({ aborted: true });
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      frozen.stop();
    }
  });

  it('lets an answer that comes after the deadline go without harm', async () => {
    // The listener wakes after 1 s: the connection the call was waiting for is made
    // (the SYN is retried), the request goes out, the answer comes — to nobody.
    const frozen = await frozenListener(1_000);
    try {
      const failure = await send(frozen.url, {
        method: 'GET',
        path: '/late',
        headers: {},
        timeoutMs: 300,
      }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(classify(failure)).toMatchObject({ aborted: true });
      await Promise.race([
        frozen.answered,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('the late request never came')), 10_000),
        ),
      ]);
      // The late answer was read and dropped: no unhandled stream error (vitest
      // would report it), and the pool still works against the same host.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const again = await send(frozen.url, {
        method: 'GET',
        path: '/again',
        headers: {},
        timeoutMs: 2_000,
      });
      expect(await again.body.json()).toEqual({ late: true });
    } finally {
      frozen.stop();
    }
  }, 20_000);

  it('fails a typed call with deadline-exceeded within its timeout', async () => {
    const frozen = await frozenListener();
    try {
      const transport = createHttpTransport({ baseUrl: frozen.url, serviceToken: TOKEN });
      const started = performance.now();
      const failure = await transport
        .call('notes', 'listNotes', {}, context(Date.now() + 300), { idempotent: true })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(AppError);
      expect((failure as AppError).status).toBe(504);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      frozen.stop();
    }
  });
});
