// Forwarding one public request to a replica of the service hosting its module,
// and the upstream answer back unchanged. Failures of a replica eject it; the
// request moves to the next replica when that cannot run it twice.
import { getConnInfo } from '@hono/node-server/conninfo';
import {
  AppError,
  classify,
  DEADLINE_HEADER,
  DRAINING_HEADER,
  problemResponse,
  PROBLEM_CONTENT_TYPE,
  SEAM_MODULE,
  send,
  SERVICE_TOKEN_HEADER,
  type SendResult,
} from '@seam/platform';
import type { Context } from 'hono';
import type { ReplicaPool } from './replicas.js';
import type { GatewayEnv } from './env.js';

/** HOP_BY_HOP headers describe one connection and are never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** SAFE_METHODS may be sent to a second replica after the first failed mid-request. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ProxyOptions {
  pool: ReplicaPool;
  /** timeoutMs bounds the whole exchange, every attempt and the response body included. */
  timeoutMs: number;
}

/**
 * proxy forwards the request in `c` to a replica of `service` and returns its
 * answer with status, headers and body untouched.
 */
export async function proxy(
  c: Context<GatewayEnv>,
  route: { service: string; module: string },
  options: ProxyOptions,
): Promise<Response> {
  const { pool, timeoutMs } = options;
  const method = c.req.method;
  const url = new URL(c.req.url);
  const headers = forwardedHeaders(c, url);
  // The service bounds the calls it makes for this request by the gateway's own
  // bound, a little before it, so its answer (a 503 when a call it needed ran out
  // of time) arrives while the gateway still waits, and no call outlives it.
  headers[DEADLINE_HEADER] = String(Date.now() + timeoutMs - deadlineMargin(timeoutMs));
  // Buffered (the body limit already applies) so a refused connection can try the next replica.
  const body =
    method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(await c.req.arrayBuffer());
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = AbortSignal.any([timeout, c.req.raw.signal]);
  const log = c.get('log');
  const path = `${url.pathname}${url.search}`;

  const candidates = pool.candidates(route.service);
  for (const [index, replica] of candidates.entries()) {
    const last = index === candidates.length - 1;
    c.set('upstream', replica.url);
    let upstream: SendResult;
    let answer: Buffer;
    try {
      upstream = await send(replica.url, {
        method,
        path,
        headers,
        body,
        signal,
        attributes: { [SEAM_MODULE]: route.module, 'seam.service': route.service },
      });
      pool.answered(replica, upstream);
      answer = Buffer.from(await upstream.body.arrayBuffer());
    } catch (error) {
      if (c.req.raw.signal.aborted) return new Response(null, { status: 499 });
      const { reason, notSent } = classify(error);
      pool.failed(replica, `${method} ${url.pathname}: ${reason}`);
      log.warn(
        { target: route.service, replica: replica.url, reason, requestId: c.get('requestId') },
        'upstream failed',
      );
      if (timeout.aborted) {
        return problemResponse(
          c,
          new AppError({
            status: 504,
            code: 'upstream-timeout',
            detail: `Module ${route.module} did not answer within ${timeoutMs} ms`,
          }),
        );
      }
      if (notSent || SAFE_METHODS.has(method)) continue;
      return problemResponse(
        c,
        new AppError({
          status: 502,
          code: 'upstream-failed',
          detail: `Module ${route.module} failed while handling the request; it may or may not have taken effect`,
        }),
      );
    }
    if (isReplicaFailure(upstream)) {
      pool.failed(replica, `${method} ${url.pathname}: answered ${upstream.statusCode}`);
      if (!last && SAFE_METHODS.has(method)) continue;
    } else {
      pool.succeeded(replica);
    }
    return passThrough(upstream, answer, method);
  }
  return unavailable(c, route, pool);
}

/** unavailable is the 503 for a module none of whose replicas can take the request. */
export function unavailable(
  c: Context<GatewayEnv>,
  route: { service: string; module: string },
  pool: ReplicaPool,
): Response {
  return problemResponse(
    c,
    new AppError({
      status: 503,
      code: 'module-unavailable',
      detail: `Module ${route.module} is unavailable: no replica of service ${route.service} is reachable; try again shortly`,
      headers: { 'retry-after': String(pool.retryAfterSeconds(route.service)) },
    }),
  );
}

/**
 * isReplicaFailure: a 502-504 that is not a Seam problem document came from
 * something in front of the service (or a dying one), not from the module. A
 * module's own 503 problem (say, its database is down) is its answer and passes through.
 */
function isReplicaFailure(response: SendResult): boolean {
  if (response.statusCode < 502 || response.statusCode > 504) return false;
  const type = response.headers['content-type'];
  return !(typeof type === 'string' && type.startsWith(PROBLEM_CONTENT_TYPE));
}

function forwardedHeaders(c: Context<GatewayEnv>, url: URL): Record<string, string> {
  const incoming = c.req.raw.headers;
  const listed = (incoming.get('connection') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const headers: Record<string, string> = {};
  for (const [name, value] of incoming) {
    if (HOP_BY_HOP.has(name) || listed.includes(name)) continue;
    // The service credential and the other internal headers never come from the public side.
    if (name === SERVICE_TOKEN_HEADER || name.startsWith('x-seam-')) continue;
    if (name === 'host' || name === 'content-length') continue;
    headers[name] = value;
  }
  const client = clientAddress(c);
  const forwardedFor = incoming.get('x-forwarded-for');
  if (client) headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${client}` : client;
  headers['x-forwarded-host'] = incoming.get('x-forwarded-host') ?? url.host;
  headers['x-forwarded-proto'] = incoming.get('x-forwarded-proto') ?? url.protocol.slice(0, -1);
  headers['x-request-id'] = c.get('requestId');
  return headers;
}

/** deadlineMargin is the time left to a service to answer after its deadline: 10 %, at most 250 ms. */
function deadlineMargin(timeoutMs: number): number {
  return Math.min(250, Math.floor(timeoutMs / 10));
}

function clientAddress(c: Context<GatewayEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // app.request() in tests has no socket
  }
}

/** NULL_BODY statuses carry no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function passThrough(upstream: SendResult, body: Buffer, method: string): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (HOP_BY_HOP.has(name) || name === DRAINING_HEADER || value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const empty = NULL_BODY.has(upstream.statusCode) || method === 'HEAD';
  return new Response(empty ? null : body, { status: upstream.statusCode, headers });
}
