// How the gateway's commands print a start-up failure: one headline, then one
// line per field error (the headline does not repeat them).
import { isAppError } from '@seam/platform';

/** startupErrorLines renders `error` for a terminal, prefixed by `command`. */
export function startupErrorLines(command: string, error: unknown): string[] {
  if (!isAppError(error)) return [`${command}: ${(error as Error)?.message ?? String(error)}`];
  const fields = error.errors ?? [];
  const first = fields[0] ? error.detail.indexOf(`: ${fields[0].path}: `) : -1;
  const headline = first > 0 ? `${error.detail.slice(0, first)}:` : error.detail;
  return [`${command}: ${headline}`, ...fields.map((f) => `  - ${f.path}: ${f.message}`)];
}
