// The engine of the bad-input fuzz suite (fuzz.e2e.ts): the credentials it sends
// (real, forged, expired, garbled…), a raw HTTP sender (node:http, so paths keep
// their `..` and encoded slashes, a content type can be left out, and a reset or
// a hang is told apart from an answer), the checks every answer must pass, and
// the table printed at the end.
import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import fc from 'fast-check';
import {
  REF_PATTERN,
  requestOf,
  type AuthVariant,
  type Body,
  type FuzzRequest,
  type Operation,
  type RefKind,
} from './openapi-arbitraries.js';

const KID = 'fuzz-signing-key';

/** FuzzKey is the server's signing key, chosen by the suite so it can sign expired and odd tokens. */
export interface FuzzKey {
  /** env gives the key to the users module (SEAM_JWT_PRIVATE_KEY). */
  env: Record<string, string>;
  /** signWith signs claims with the server's key (or `other`'s), under `header`. */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>, other?: boolean): string;
  /** publicX is the public key's `x`, the secret of an HS256 algorithm-confusion token. */
  publicX: string;
}

/** createFuzzKey makes the server's Ed25519 key and another one to forge with. */
export function createFuzzKey(): FuzzKey {
  const mine = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const jwk = mine.privateKey.export({ format: 'jwk' });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = (
    key: KeyObject,
    claims: Record<string, unknown>,
    header: Record<string, unknown>,
  ) => {
    const input = `${b64(header)}.${b64(claims)}`;
    return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
  };
  return {
    env: { SEAM_JWT_PRIVATE_KEY: JSON.stringify({ ...jwk, kid: KID }) },
    publicX: jwk.x!,
    sign: (claims, header = { alg: 'EdDSA', kid: KID, typ: 'JWT' }, useOther = false) =>
      signed(useOther ? other.privateKey : mine.privateKey, claims, header),
  };
}

/**
 * authHeaders makes the Authorization header of every variant from the real
 * tokens of a customer and an admin. Issuer and audience are the defaults.
 */
export function authHeaders(
  key: FuzzKey,
  real: { customer: string; admin: string },
): Record<AuthVariant, string | undefined> {
  const now = Math.floor(Date.now() / 1000);
  const claims = (extra: Record<string, unknown> = {}) => ({
    sub: randomUUID(),
    email: 'ghost@example.com',
    role: 'customer',
    iss: 'seam',
    aud: 'seam',
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
    ...extra,
  });
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims({ role: 'admin' }))}`;
  const hsInput = `${b64({ alg: 'HS256', kid: KID, typ: 'JWT' })}.${b64(claims({ role: 'admin' }))}`;
  const hs256 = `${hsInput}.${createHmac('sha256', key.publicX).update(hsInput).digest('base64url')}`;
  const [head, body, signature] = real.customer.split('.');
  const flipped = signature!.startsWith('A')
    ? `B${signature!.slice(1)}`
    : `A${signature!.slice(1)}`;
  return {
    none: undefined,
    customer: `Bearer ${real.customer}`,
    admin: `Bearer ${real.admin}`,
    ghost: `Bearer ${key.sign(claims())}`,
    garbled: `Bearer ${b64('garbage')}.${b64('more')}.${b64('sig')}`,
    'not-bearer': `Basic ${Buffer.from('owner@example.com:password').toString('base64')}`,
    'empty-bearer': 'Bearer ',
    forged: `Bearer ${key.sign(claims({ role: 'admin' }), undefined, true)}`,
    expired: `Bearer ${key.sign(claims({ iat: now - 7200, exp: now - 3600 }))}`,
    'alg-none': `Bearer ${none}.`,
    hs256: `Bearer ${hs256}`,
    'wrong-kid': `Bearer ${key.sign(claims(), { alg: 'EdDSA', kid: 'no-such-key', typ: 'JWT' })}`,
    'wrong-issuer': `Bearer ${key.sign(claims({ iss: 'someone-else' }))}`,
    'wrong-audience': `Bearer ${key.sign(claims({ aud: 'someone-else' }))}`,
    'bad-role': `Bearer ${key.sign(claims({ role: 'root' }))}`,
    'no-subject': `Bearer ${key.sign(claims({ sub: undefined }))}`,
    tampered: `Bearer ${head}.${body}.${flipped}`,
    huge: `Bearer ${'a'.repeat(6000)}.${'b'.repeat(6000)}.${'c'.repeat(100)}`,
  };
}

/** Pools are the ids the running shop knows, filled in for `{{kind:n}}` placeholders. */
export type Pools = Record<RefKind, string[]>;

/** fill replaces the placeholders with known ids (a uuid of nothing when none is known). */
export function fill(text: string, pools: Pools): string {
  return text.replace(REF_PATTERN, (_, kind: RefKind, index: string) => {
    const pool = pools[kind];
    return pool.length > 0 ? pool[Number(index) % pool.length]! : randomUUID();
  });
}

function bodyBytes(body: Body, pools: Pools): Buffer {
  switch (body.kind) {
    case 'text':
      return Buffer.from(fill(body.text, pools));
    case 'deep':
      return Buffer.from(`${'{"a":['.repeat(body.depth)}1${']}'.repeat(body.depth)}`);
    case 'huge':
      return Buffer.from(
        `{"items":[${'"0123456789abcdef",'.repeat(Math.ceil(body.bytes / 19))}"x"]}`,
      );
    default: {
      const never: never = body;
      throw new Error(`unknown body ${JSON.stringify(never)}`);
    }
  }
}

/** Answer is what came back, or how it failed to come. */
export type Answer =
  | { kind: 'answer'; status: number; contentType: string; text: string; ms: number }
  | { kind: 'timeout'; ms: number }
  | { kind: 'error'; message: string; ms: number };

/** SentRequest is a generated request with its placeholders filled, as sent. */
export interface SentRequest extends FuzzRequest {
  sentPath: string;
}

/**
 * createSender sends raw requests to `baseUrl` over `concurrency` kept-alive
 * sockets; a request unanswered after `timeoutMs` is a timeout.
 */
export function createSender(baseUrl: string, options: { timeoutMs: number; concurrency: number }) {
  const url = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const watched = new WeakSet<object>();
  const send = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: Buffer,
  ): Promise<Answer> =>
    new Promise((resolve) => {
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      let settled = false;
      const done = (answer: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(answer);
      };
      let req: ReturnType<typeof httpRequest>;
      try {
        req = httpRequest({
          agent,
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
        });
      } catch (error) {
        // Node refuses to send this request (an invalid header, say): nothing reached the server.
        resolve({ kind: 'error', message: `not sendable: ${(error as Error).message}`, ms: 0 });
        return;
      }
      const timer = setTimeout(() => {
        req.destroy();
        done({ kind: 'timeout', ms: ms() });
      }, options.timeoutMs);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          done({
            kind: 'answer',
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
            ms: ms(),
          }),
        );
        res.on('error', (error) => done({ kind: 'error', message: error.message, ms: ms() }));
      });
      req.on('error', (error) => done({ kind: 'error', message: error.message, ms: ms() }));
      // A socket the server closed while the rest of a body was being written fails that
      // write after its answer came (EPIPE): the answer counts, the error is not thrown.
      req.on('socket', (socket) => {
        if (watched.has(socket)) return;
        watched.add(socket);
        socket.on('error', () => {});
      });
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

/** ALWAYS_REFUSED are codes a valid request (every part per the document, a real token) must never get. */
const NEVER_FOR_VALID = new Set([
  'validation-failed',
  'malformed-json',
  'unsupported-media-type',
  'payload-too-large',
  'unauthorized',
  'invalid-token',
  'token-expired',
  'route-not-found',
  'method-not-allowed',
]);

/** Verdict is what one answer broke; empty when it passed. */
export interface Verdict {
  failures: string[];
  mismatches: string[];
}

/**
 * judge checks one answer: no 5xx, no reset, no hang; every 4xx a problem
 * document; and for a valid request, a success or a documented refusal that is
 * no validation failure (a "mismatch": the document promised otherwise).
 */
export function judge(request: SentRequest, answer: Answer, operation: Operation): Verdict {
  const failures: string[] = [];
  const mismatches: string[] = [];
  if (answer.kind === 'timeout') failures.push(`no answer within ${answer.ms} ms`);
  if (answer.kind === 'error') failures.push(`connection failed: ${answer.message}`);
  if (answer.kind !== 'answer') return { failures, mismatches };
  const { status } = answer;
  if (status >= 500) failures.push(`${status}: ${answer.text.slice(0, 300)}`);
  let code: string | undefined;
  if (status >= 400) {
    const problem = readProblem(answer);
    if (typeof problem === 'string') failures.push(`${status} is not a problem: ${problem}`);
    else code = problem.code;
  }
  if (request.valid && status < 500) {
    const documented = operation.responses.includes(status);
    const success = status >= 200 && status < 300;
    if (!documented) mismatches.push(`${status} is not documented (${code ?? 'success'})`);
    else if (!success && code && NEVER_FOR_VALID.has(code)) {
      mismatches.push(
        `${status} ${code} for a request the document accepts: ${answer.text.slice(0, 300)}`,
      );
    } else if (status === 403 && request.auth === 'admin') {
      mismatches.push('403 for the admin');
    }
  }
  return { failures, mismatches };
}

const PROBLEM_TYPE = /^application\/problem\+json(;|$)/;

function readProblem(answer: Extract<Answer, { kind: 'answer' }>): { code?: string } | string {
  if (!PROBLEM_TYPE.test(answer.contentType)) {
    return `content-type ${answer.contentType || '(none)'}: ${answer.text.slice(0, 200)}`;
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return `body is not JSON: ${answer.text.slice(0, 200)}`;
  }
  if (body.status !== answer.status) return `status ${String(body.status)} in the body`;
  if (typeof body.title !== 'string' || typeof body.type !== 'string') {
    return `no title or type: ${answer.text.slice(0, 200)}`;
  }
  return { code: typeof body.code === 'string' ? body.code : undefined };
}

/** Row is one operation's line of the final table. */
export interface Row {
  requests: number;
  valid: number;
  statuses: Map<number, number>;
  serverErrors: number;
  plain4xx: number;
  timeouts: number;
  resets: number;
  /** refused are bodies (or heads) over the limit the server stopped reading: it answered and closed first. */
  refused: number;
  mismatches: number;
}

/** emptyRow is a table row before any request: one per operation, and the totals. */
function emptyRow(): Row {
  return {
    requests: 0,
    valid: 0,
    statuses: new Map(),
    serverErrors: 0,
    plain4xx: 0,
    timeouts: 0,
    resets: 0,
    refused: 0,
    mismatches: 0,
  };
}

export interface FuzzOptions {
  baseUrl: string;
  operations: Operation[];
  seed: number;
  /** count is how many requests to send. */
  count: number;
  /** budgetMs bounds the run: no request starts after it. */
  budgetMs: number;
  concurrency: number;
  timeoutMs: number;
  /** bodyLimitBytes is the server's SEAM_BODY_LIMIT_BYTES: a larger body may be cut off. */
  bodyLimitBytes: number;
  /** bodyLimits are the operations with a smaller cap of their own (operation key → bytes). */
  bodyLimits?: Record<string, number>;
  auth: Record<AuthVariant, string | undefined>;
  pools: Pools;
  /** learn adds ids from successful answers to the pools (products created, orders placed). */
  learn?: (request: SentRequest, status: number, body: unknown) => void;
}

export interface FuzzResult {
  sent: number;
  ms: number;
  rows: Map<string, Row>;
  /** failures are the first few broken answers, each with its request. */
  failures: string[];
  failureCount: number;
  /** failureKinds counts the broken answers by operation and the first thing each broke. */
  failureKinds: Map<string, number>;
  mismatches: Map<string, string[]>;
}

/** BATCH requests are generated at a time: a seed gives the same sequence whatever the count. */
const BATCH = 500;

/**
 * runFuzz sends `count` generated requests (seeded), `concurrency` at a time,
 * and judges every answer.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const arbitrary = fc.oneof(...options.operations.map(requestOf));
  const byKey = new Map(options.operations.map((op) => [op.key, op]));
  const sender = createSender(options.baseUrl, options);
  const rows = new Map<string, Row>();
  for (const op of options.operations) {
    rows.set(op.key, emptyRow());
  }
  const failures: string[] = [];
  let failureCount = 0;
  const failureKinds = new Map<string, number>();
  const mismatches = new Map<string, string[]>();
  const started = Date.now();
  let batch: FuzzRequest[] = [];
  let next = 0;
  let sent = 0;
  const take = (): FuzzRequest | undefined => {
    if (next >= options.count || Date.now() - started > options.budgetMs) return undefined;
    const index = next % BATCH;
    if (index === 0) {
      batch = fc.sample(arbitrary, { seed: options.seed + next / BATCH, numRuns: BATCH });
    }
    next += 1;
    return batch[index];
  };
  const worker = async () => {
    for (let generated = take(); generated; generated = take()) {
      const operation = byKey.get(generated.operation)!;
      const request: SentRequest = { ...generated, sentPath: fill(generated.path, options.pools) };
      const headers = { ...request.headers };
      const authorization = options.auth[request.auth];
      if (authorization !== undefined) headers.authorization = authorization;
      const body = request.body ? bodyBytes(request.body, options.pools) : undefined;
      const answer = await sender.send(request.method, request.sentPath, headers, body);
      sent += 1;
      const row = rows.get(operation.key)!;
      row.requests += 1;
      if (request.valid) row.valid += 1;
      if (answer.kind === 'answer') {
        row.statuses.set(answer.status, (row.statuses.get(answer.status) ?? 0) + 1);
        if (answer.status >= 500) row.serverErrors += 1;
        if (answer.status < 300 && options.learn) {
          let parsed: unknown;
          try {
            parsed = answer.text ? JSON.parse(answer.text) : undefined;
          } catch {
            parsed = undefined;
          }
          options.learn(request, answer.status, parsed);
        }
      } else if (answer.kind === 'timeout') row.timeouts += 1;
      else if (
        cutOff(
          answer.message,
          request,
          headers,
          body,
          options.bodyLimits?.[operation.key] ?? options.bodyLimitBytes,
        )
      ) {
        // The server answered 413 (or 431) and closed while the rest of the body (or of
        // the head) was still being written; a client writing it all first sees the
        // broken pipe instead of the answer.
        row.refused += 1;
        continue;
      } else row.resets += 1;
      const verdict = judge(request, answer, operation);
      if (answer.kind === 'answer' && answer.status >= 400 && answer.status < 500) {
        if (verdict.failures.length > 0) row.plain4xx += 1;
      }
      if (verdict.failures.length > 0) {
        failureCount += 1;
        const kind = `${operation.key} → ${verdict.failures[0]!.slice(0, 120)}`;
        failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
        if (failures.length < 20) failures.push(describe(request, headers, verdict.failures));
      }
      if (verdict.mismatches.length > 0) {
        row.mismatches += 1;
        const list = mismatches.get(operation.key) ?? [];
        if (list.length < 5) list.push(describe(request, headers, verdict.mismatches));
        mismatches.set(operation.key, list);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    sender.close();
  }
  return {
    sent,
    ms: Date.now() - started,
    rows,
    failures,
    failureCount,
    failureKinds,
    mismatches,
  };
}

/** HEADER_LIMIT_BYTES is Node's default --max-http-header-size, which every Seam server keeps. */
const HEADER_LIMIT_BYTES = 16 * 1024;

/** EARLY_ANSWER_BYTES: a body this large may still be in flight when an early refusal closes. */
const EARLY_ANSWER_BYTES = 16 * 1024;

/**
 * cutOff: a broken pipe or a reset is the server refusing to read on — allowed
 * only for a body over its limit, a head (request line and headers) over Node's
 * header limit, or an invalid request with a large body, which the server may
 * refuse (401, 415, 413…) before reading it and then close: the client, still
 * writing, sees the broken pipe instead of the answer. A valid request is never
 * excused.
 */
function cutOff(
  message: string,
  request: SentRequest,
  headers: Record<string, string>,
  body: Buffer | undefined,
  limit: number,
): boolean {
  if (!/EPIPE|ECONNRESET/.test(message)) return false;
  const head = Object.entries(headers).reduce(
    (bytes, [name, value]) => bytes + Buffer.byteLength(name) + Buffer.byteLength(value) + 4,
    Buffer.byteLength(request.sentPath),
  );
  if (head > HEADER_LIMIT_BYTES) return true;
  if (body === undefined) return false;
  return body.length > limit || (!request.valid && body.length >= EARLY_ANSWER_BYTES);
}

function describe(request: SentRequest, headers: Record<string, string>, what: string[]): string {
  const shown = { ...headers };
  if (shown.authorization) shown.authorization = `(${request.auth})`;
  const body = request.body
    ? request.body.kind === 'text'
      ? request.body.text.slice(0, 300)
      : `(${request.body.kind})`
    : '';
  return [
    `${request.method} ${request.sentPath.slice(0, 200)} ${JSON.stringify(shown).slice(0, 300)} ${body}`,
    `  broken: ${request.broken.join('; ') || '(nothing: a valid request)'}`,
    ...what.map((w) => `  → ${w}`),
  ].join('\n');
}

/** formatTable prints the requests and statuses per operation, and the totals. */
export function formatTable(title: string, result: FuzzResult, seed: number): string {
  const header = [
    'operation',
    'requests',
    'valid',
    'statuses',
    '5xx',
    'plain 4xx',
    'timeouts',
    'resets',
    'cut off',
    'mismatch',
  ];
  const lines: string[][] = [];
  const total = emptyRow();
  const statuses = (row: Row) =>
    [...row.statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
  const line = (name: string, row: Row) => [
    name,
    String(row.requests),
    String(row.valid),
    statuses(row),
    String(row.serverErrors),
    String(row.plain4xx),
    String(row.timeouts),
    String(row.resets),
    String(row.refused),
    String(row.mismatches),
  ];
  for (const [key, row] of result.rows) {
    lines.push(line(key, row));
    total.requests += row.requests;
    total.valid += row.valid;
    for (const [s, n] of row.statuses) total.statuses.set(s, (total.statuses.get(s) ?? 0) + n);
    total.serverErrors += row.serverErrors;
    total.plain4xx += row.plain4xx;
    total.timeouts += row.timeouts;
    total.resets += row.resets;
    total.refused += row.refused;
    total.mismatches += row.mismatches;
  }
  lines.push(line('total', total));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    `${title}: ${result.sent} requests in ${(result.ms / 1000).toFixed(1)} s (seed ${seed}; reproduce with SEAM_FUZZ_SEED=${seed})`,
    render(header),
    ...lines.map(render),
  ].join('\n');
}
