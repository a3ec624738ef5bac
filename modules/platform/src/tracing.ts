// Traces: the spans Seam opens on its own paths (requests, operation calls,
// HTTP hops, SQL, event publish/delivery/handling) and the W3C `traceparent`
// that carries a trace across processes and through the outbox. Only the
// OpenTelemetry API is used here; the SDK is started by telemetry.ts when an
// OTEL_* variable asks for export. Until then `tracingOn()` is false and every
// caller skips tracing with one boolean test: no span objects, no context
// switches on the hot paths.
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { isAppError } from './errors.js';

export { SpanKind, type Attributes, type Span };

/** TRACEPARENT_HEADER is the W3C Trace Context header every Seam hop carries. */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

/** Attribute names Seam adds beside OpenTelemetry's semantic conventions. */
export const SEAM_MODULE = 'seam.module';
export const SEAM_OPERATION = 'seam.operation';
export const SEAM_TRANSPORT = 'seam.transport';

/** DB_QUERY_TEXT_MAX bounds `db.query.text`: enough to recognise a statement, not a dump. */
export const DB_QUERY_TEXT_MAX = 500;

let on = false;
const tracer = trace.getTracer('seam');

/** tracingOn tells whether spans are recorded; false unless telemetry was started. */
export function tracingOn(): boolean {
  return on;
}

/**
 * setTracingOn switches Seam's spans on once a tracer provider is registered
 * (telemetry.ts, or a test with an in-memory exporter) and off again.
 */
export function setTracingOn(value: boolean): void {
  on = value;
}

/**
 * startSpan opens a span under `parent` (default: the active context). The
 * caller ends it; inSpan is the usual way.
 */
export function startSpan(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  parent: Context = context.active(),
): Span {
  return tracer.startSpan(name, { kind, attributes }, parent);
}

/** withSpan runs `fn` with `span` as the active span (its logs and child spans see it). */
export function withSpan<T>(span: Span, fn: () => T, parent: Context = context.active()): T {
  return context.with(trace.setSpan(parent, span), fn);
}

/**
 * inSpan runs `fn` inside a new span that ends when `fn` settles; a rejection
 * marks it as an error (see failSpan). Call it only when tracingOn().
 *
 * @example
 * const product = tracingOn()
 *   ? await inSpan('catalog.getProduct', SpanKind.INTERNAL, { 'seam.module': 'catalog' }, () => get(id))
 *   : await get(id);
 */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const span = startSpan(name, kind, attributes, parent);
  try {
    return await withSpan(span, () => fn(span), parent);
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * failSpan records a failure on a span: an AppError keeps its status and code
 * as attributes and is an error only from 500 up (a 404 is an answer, not a
 * fault); anything else is an error with its exception event.
 */
export function failSpan(span: Span, error: unknown): void {
  if (isAppError(error)) {
    span.setAttribute('error.type', error.code);
    if (error.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: error.detail });
    return;
  }
  span.recordException(error as Error);
  span.setAttribute('error.type', (error as Error)?.name ?? 'Error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
}

/** failActiveSpan marks the active span as failed with `message` (a delivery's last error, say). */
export function failActiveSpan(message: string): void {
  trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 200) });
}

/** setHttpStatus sets `http.response.status_code` and, from 500 up (400 for clients), the error status. */
export function setHttpStatus(span: Span, status: number, client = false): void {
  span.setAttribute('http.response.status_code', status);
  if (status >= (client ? 400 : 500)) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
}

/** injectTraceContext writes the active context's `traceparent` (and `tracestate`) into `headers`. */
export function injectTraceContext(headers: Record<string, string | string[]>): void {
  propagation.inject(context.active(), headers);
}

/** extractTraceContext is the context a `traceparent` header continues (the root one without it). */
export function extractTraceContext(
  traceparent: string | null | undefined,
  tracestate?: string | null | undefined,
): Context {
  if (!traceparent) return ROOT_CONTEXT;
  const carrier: Record<string, string> = { [TRACEPARENT_HEADER]: traceparent };
  if (tracestate) carrier[TRACESTATE_HEADER] = tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** currentTraceparent is the active span's `traceparent`, stored with an outbox row. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier[TRACEPARENT_HEADER] ?? null;
}

const NO_TRACE = Object.freeze({});

/** traceFields gives a log line the active span's ids: `{ traceId, spanId }`, or nothing. */
export function traceFields(): { traceId?: string; spanId?: string } {
  if (!on) return NO_TRACE;
  const span = trace.getActiveSpan();
  if (!span) return NO_TRACE;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}

/**
 * queryAttributes describes one SQL statement: `db.system`, its first keyword
 * as `db.operation.name` (`SELECT`, `INSERT`, `WITH` …) and the statement, trimmed.
 */
export function queryAttributes(text: string, database: 'pglite' | 'postgres'): Attributes {
  const operation = /^\s*([a-z]+)/i.exec(text)?.[1]?.toUpperCase();
  return {
    'db.system': 'postgresql',
    'db.system.name': 'postgresql',
    'db.operation.name': operation ?? 'QUERY',
    'db.query.text':
      text.length > DB_QUERY_TEXT_MAX ? `${text.slice(0, DB_QUERY_TEXT_MAX)}…` : text,
    'seam.database': database,
  };
}

/**
 * querySpan opens the CLIENT span of one SQL statement under the active span.
 * A statement outside any span (the dispatcher's polls, readiness pings) is
 * not traced: alone in a trace of its own it would only be noise.
 */
export function querySpan(text: string, database: 'pglite' | 'postgres'): Span | undefined {
  if (!trace.getActiveSpan()) return undefined;
  const attributes = queryAttributes(text, database);
  return startSpan(String(attributes['db.operation.name']), SpanKind.CLIENT, attributes);
}
