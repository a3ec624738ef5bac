// The one logger: pino writing JSON lines to stdout.
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = PinoLogger;

/**
 * createLogger makes the process logger; children add `module` or `requestId`.
 *
 * @example
 * const log = createLogger({ level: 'info', service: 'monolith' });
 * log.child({ module: 'catalog' }).info('seeded demo catalog');
 */
export function createLogger(options: { level: LevelWithSilent; service: string }): Logger {
  return pino({
    level: options.level,
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'password', '*.password', 'token', '*.token'],
      censor: '[redacted]',
    },
  });
}
