// The one way a Seam entry point runs: start, print a start-up failure the same
// way everywhere (a headline, then one line per field error), and on SIGTERM or
// SIGINT stop gracefully — a second signal exits at once. OpenTelemetry starts
// first (when OTEL_* asks for it) and is flushed last.
import { isAppError } from './errors.js';
import type { Logger } from './logger.js';
import { startTelemetry, type Telemetry } from './telemetry.js';

/** Running is what a long-lived entry point started: its logger and how to stop it. */
export interface Running {
  log: Logger;
  close(): Promise<void>;
}

/**
 * runMain runs `start` as the process's main; a long-lived process returns its
 * Running, a one-shot command (a migration) returns nothing and the process ends.
 * `service` names the process in traces when neither OTEL_SERVICE_NAME nor
 * SEAM_SERVICE does.
 *
 * @example
 * await runMain('seam', async () => {
 *   const host = await createHost({ modules, env: process.env });
 *   await host.listen();
 *   return host;
 * });
 */
export async function runMain(
  command: string,
  start: () => Promise<Running | void>,
  service = 'monolith',
): Promise<void> {
  let running: Running | void;
  let telemetry: Telemetry | undefined;
  try {
    telemetry = await startTelemetry(process.env, process.env.SEAM_SERVICE || service);
    running = await start();
  } catch (error) {
    for (const line of startupErrorLines(command, error)) console.error(line);
    if (!isAppError(error)) console.error(error);
    await telemetry?.shutdown().catch(() => {});
    process.exit(1);
  }
  if (!running) {
    await telemetry.shutdown();
    return;
  }
  const { log } = running;
  const close = running.close.bind(running);
  const stop = async () => {
    try {
      await close();
    } finally {
      await telemetry.shutdown().catch((error: unknown) => {
        log.warn({ err: error }, 'flushing traces failed');
      });
    }
  };
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      log.info({ signal }, 'shutting down');
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

/** startupErrorLines renders a start-up failure for a terminal, prefixed by `command`. */
export function startupErrorLines(command: string, error: unknown): string[] {
  if (!isAppError(error)) return [`${command}: ${(error as Error)?.message ?? String(error)}`];
  const fields = error.errors ?? [];
  const first = fields[0] ? error.detail.indexOf(`: ${fields[0].path}: `) : -1;
  const headline = first > 0 ? `${error.detail.slice(0, first)}:` : error.detail;
  return [`${command}: ${headline}`, ...fields.map((f) => `  - ${f.path}: ${f.message}`)];
}
