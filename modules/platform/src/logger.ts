// The one logger: pino writing JSON lines to stdout.
import {
  pino,
  type DestinationStream,
  type Logger as PinoLogger,
  type LevelWithSilent,
} from 'pino';
import { traceFields } from './tracing.js';

export type Logger = PinoLogger;

/**
 * createLogger makes the process logger; children add `module` or `requestId`.
 * A line written while a span is active carries its `traceId` and `spanId`.
 *
 * @example
 * const log = createLogger({ level: 'info', service: 'monolith' });
 * log.child({ module: 'catalog' }).info('seeded demo catalog');
 */
export function createLogger(options: {
  level: LevelWithSilent;
  service: string;
  /** destination replaces stdout (a test's sink). */
  destination?: DestinationStream;
}): Logger {
  const settings = {
    level: options.level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceFields,
    // pino's default merge writes the line's fields into the mixin's object; without a
    // span that object is a shared empty one, so the line's own fields are used as they are.
    mixinMergeStrategy: (line: object, trace: { traceId?: string }) =>
      trace.traceId === undefined ? line : Object.assign(trace, line),
    redact: {
      paths: ['req.headers.authorization', 'password', '*.password', 'token', '*.token'],
      censor: '[redacted]',
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
