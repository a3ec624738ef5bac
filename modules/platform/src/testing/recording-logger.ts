// A Logger for tests that keeps every call, so a test can prove what was (or
// never was) logged.
import type { Logger } from '../logger.js';

export interface RecordingLogger {
  log: Logger;
  /** lines holds every call's arguments, at every level, as one JSON line each. */
  lines: string[];
  /** messages holds every call's message: its last string argument. */
  messages: string[];
}

/**
 * recordingLogger is a Logger that records every call at every level. No
 * redaction applies, unlike the real logger, so secrets would show in `lines`.
 *
 * @example
 * const { log, lines } = recordingLogger();
 * await charge(input, { log });
 * expect(lines.join('\n')).not.toContain(card.number);
 */
export function recordingLogger(): RecordingLogger {
  const lines: string[] = [];
  const messages: string[] = [];
  const log: Logger = new Proxy({} as Logger, {
    get(_, property) {
      if (property === 'child') return () => log;
      if (property === 'level') return 'trace';
      if (property === 'isLevelEnabled') return () => true;
      return (...args: unknown[]) => {
        lines.push(
          JSON.stringify(args, (_key, value: unknown) =>
            value instanceof Error
              ? { ...value, message: value.message, stack: value.stack }
              : value,
          ),
        );
        const message = args.findLast((arg) => typeof arg === 'string');
        if (typeof message === 'string') messages.push(message);
      };
    },
  });
  return { log, lines, messages };
}
