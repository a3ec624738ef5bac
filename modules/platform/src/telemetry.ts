// Starting OpenTelemetry in a process: the Node SDK with its exporters chosen
// by the standard OTEL_* variables (OTLP over http/protobuf, http/json or gRPC,
// the console, Zipkin), W3C Trace Context as the propagator, no automatic
// instrumentation — Seam opens its own spans (tracing.ts). Without an OTEL_*
// variable asking for export nothing is loaded and no span is recorded.
import { loadTelemetryConfig, tracesExported } from './config.js';
import { setTracingOn } from './tracing.js';

/** Telemetry is what startTelemetry started; shutdown flushes the spans still buffered. */
export interface Telemetry {
  readonly tracing: boolean;
  shutdown(): Promise<void>;
}

const OFF: Telemetry = { tracing: false, shutdown: async () => {} };

/**
 * startTelemetry starts the SDK when the OTEL_* variables in `env` ask for
 * traces. `service` names the process when OTEL_SERVICE_NAME does not.
 *
 * @example
 * const telemetry = await startTelemetry(process.env, 'gateway');
 * // … on shutdown:
 * await telemetry.shutdown();
 */
export async function startTelemetry(
  env: Record<string, string | undefined>,
  service: string,
): Promise<Telemetry> {
  const config = loadTelemetryConfig(env);
  if (!tracesExported(config)) return OFF;
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    serviceName: config.OTEL_SERVICE_NAME ?? service,
    instrumentations: [],
    // Traces only: the metrics are Prometheus' (/metrics), the logs pino's lines.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  setTracingOn(true);
  return {
    tracing: true,
    async shutdown() {
      setTracingOn(false);
      await sdk.shutdown();
    },
  };
}
