// OWASP API10, unsafe consumption of APIs: a module hosted elsewhere answers
// garbage, and the shopper gets a clean 502/503 problem — never a 500, never
// what the remote sent, never the remote's address.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cart from '@seam/cart';
import {
  expectProblem,
  jsonRequest,
  startTestHostWithTokens,
  type TestHostWithTokens,
} from '@seam/platform/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** GARBAGE is what the fake catalog answers, by case. */
const GARBAGE: Record<string, (res: import('node:http').ServerResponse) => void> = {
  'output that breaks the contract': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ items: [{ id: 1, price: 'free', secret: 'remote-internal-42' }] }));
  },
  'an HTML page with a 200': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>remote-internal-42</html>');
  },
  'a 500 with a stack trace': (res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('Error: remote-internal-42\n    at handler (/srv/catalog/app.js:12:5)');
  },
  'truncated JSON': (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"items": [');
  },
  'a dropped connection': (res) => {
    res.socket?.destroy();
  },
};

let mode = '';
let remote: Server;
let remoteUrl: string;
let t: TestHostWithTokens;

beforeAll(async () => {
  remote = createServer((req, res) => {
    req.resume();
    req.on('end', () => GARBAGE[mode]!(res));
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
  t = await startTestHostWithTokens({
    modules: [cart],
    env: { SEAM_REMOTES: `catalog=${remoteUrl}`, SEAM_CALL_TIMEOUT_MS: '2000' },
  });
});
afterAll(async () => {
  await t?.close();
  remote?.closeAllConnections();
  await new Promise((resolve) => remote?.close(resolve));
});

describe('API10 unsafe consumption of APIs', () => {
  it.each(Object.keys(GARBAGE))(
    'answers a clean 502/503 problem when the remote catalog answers %s',
    async (name) => {
      mode = name;
      const res = await t.request(
        '/api/cart/items',
        jsonRequest('POST', { productId: randomUUID(), quantity: 1 }, t.customerToken),
      );
      expect([502, 503]).toContain(res.status);
      const problem = await expectProblem(res, res.status);
      expect([
        'invalid-response',
        'bad-gateway',
        'module-unreachable',
        'module-unavailable',
      ]).toContain(problem.code);
      const text = JSON.stringify(problem);
      expect(text).not.toContain('remote-internal-42');
      expect(text).not.toMatch(/app\.js|Error:|<html>/);
      expect(text).not.toContain(new URL(remoteUrl).host);
    },
  );
});
